//! The canonical fields an order can carry, whatever the export calls them.

macro_rules! keys {
    ($($variant:ident => $name:literal, $item:literal, $multi:literal;)*) => {
        /// A canonical order field. `[columns]` in the config names these.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Key { $(#[doc = $name] $variant,)* }

        impl Key {
            /// Every key, in declaration order.
            pub const ALL: &'static [Key] = &[$(Key::$variant,)*];

            /// The name used in `[columns]`.
            #[must_use]
            pub fn name(self) -> &'static str {
                match self { $(Key::$variant => $name,)* }
            }

            /// Whether the field belongs to a line item rather than the order.
            #[must_use]
            pub fn is_item(self) -> bool {
                match self { $(Key::$variant => $item,)* }
            }

            /// Whether every column mapped to it contributes a value (emails, phones, ...)
            /// rather than the first non-empty one.
            #[must_use]
            pub fn is_multi(self) -> bool {
                match self { $(Key::$variant => $multi,)* }
            }
        }
    };
}

keys! {
    OrderId => "order_id", false, false;
    OrderNumber => "order_number", false, false;
    OrderName => "order_name", false, false;
    EventTime => "event_time", false, false;
    EventName => "event_name", false, false;
    ActionSource => "action_source", false, false;
    EventId => "event_id", false, false;
    Email => "email", false, true;
    Phone => "phone", false, true;
    FirstName => "first_name", false, false;
    LastName => "last_name", false, false;
    FullName => "full_name", false, false;
    City => "city", false, false;
    State => "state", false, false;
    Zip => "zip", false, false;
    Country => "country", false, false;
    Gender => "gender", false, false;
    BirthDate => "birth_date", false, false;
    ExternalId => "external_id", false, true;
    Maid => "maid", false, true;
    ClientIp => "client_ip_address", false, false;
    UserAgent => "client_user_agent", false, false;
    ClickId => "click_id", false, false;
    PartnerId => "partner_id", false, false;
    EventSourceUrl => "event_source_url", false, false;
    LandingSite => "landing_site", false, false;
    Currency => "currency", false, false;
    Value => "value", false, false;
    Total => "total", false, false;
    Subtotal => "subtotal", false, false;
    Tax => "tax", false, false;
    Shipping => "shipping", false, false;
    Discount => "discount", false, false;
    Status => "status", false, false;
    FinancialStatus => "financial_status", false, false;
    FulfillmentStatus => "fulfillment_status", false, false;
    CancelledAt => "cancelled_at", false, false;
    Test => "test", false, false;
    Source => "source", false, false;
    PaymentMethod => "payment_method", false, false;
    ContentIds => "content_ids", false, true;
    Contents => "contents", false, false;
    NumItems => "num_items", false, false;
    OptOut => "opt_out", false, false;
    LineItems => "line_items", false, true;
    ItemProductId => "item_product_id", true, false;
    ItemVariantId => "item_variant_id", true, false;
    ItemSku => "item_sku", true, false;
    ItemName => "item_name", true, false;
    ItemPrice => "item_price", true, false;
    ItemQuantity => "item_quantity", true, false;
    ItemCategory => "item_category", true, false;
    ItemBrand => "item_brand", true, false;
}

impl Key {
    /// Parses a `[columns]` key name (case-insensitive).
    #[must_use]
    pub fn parse(s: &str) -> Option<Key> {
        let s = s.trim();
        Key::ALL
            .iter()
            .copied()
            .find(|k| k.name().eq_ignore_ascii_case(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for k in Key::ALL {
            assert_eq!(Key::parse(k.name()), Some(*k));
        }
        assert!(Key::ItemSku.is_item());
        assert!(Key::Email.is_multi());
        assert!(!Key::City.is_multi());
    }
}
