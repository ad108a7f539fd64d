//! Delivery of request bodies to the Pinterest Conversions API.
