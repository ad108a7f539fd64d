//! Target `woocommerce`: a PHP snippet for a code-snippets plugin or a must-use plugin
//! file. The base code goes in `wp_head`; the events on WooCommerce's own hooks; with
//! `--web-checkout` the purchase on `woocommerce_thankyou`, once per order (an order meta
//! flag), never for failed or cancelled orders (core runs that hook for failed ones too).
//! `{order_id}` is `$order->get_id()` (the REST `id`); `{order_number}` and `{order_name}`
//! are `$order->get_order_number()` (the REST `number`).

use std::fmt::Write as _;

use super::js;
use super::{BrowserEvent, Ident, TagOptions};

/// A PHP single-quoted string literal.
fn php_string(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

fn ident_var(i: Ident) -> &'static str {
    match i {
        Ident::Id => "$pinconv_id",
        // WooCommerce has no order name apart from its number.
        Ident::Number | Ident::Name => "$pinconv_number",
    }
}

fn ident_value(i: Ident) -> &'static str {
    match i {
        Ident::Id => "trim( (string) $order->get_id() )",
        Ident::Number | Ident::Name => "trim( (string) $order->get_order_number() )",
    }
}

/// Writes the snippet.
#[must_use]
#[allow(clippy::too_many_lines)]
pub fn generate(o: &TagOptions) -> String {
    let mut s = String::from("<?php\n/**\n");
    let mut header = super::header(
        o,
        "Pinterest tag for WooCommerce (PHP snippet)",
        &[
            "Either: a code-snippets plugin (e.g. Code Snippets > Add New), paste this file without",
            "its first line `<?php`, run everywhere, activate. Or: save it as",
            "wp-content/mu-plugins/pinconv-pinterest.php (a must-use plugin, always on).",
            "Clear any page cache afterwards.",
        ],
    );
    header.extend([
        String::new(),
        "If the official \"Pinterest for WooCommerce\" plugin is active, it prints its own tag:".into(),
        "do not run both tags (page visits and add-to-carts would count twice). Either keep the".into(),
        "plugin and do not install this snippet: from the release with its PR #1176 on, the plugin's".into(),
        "checkout event_id is `checkout_<order id>`, so run pinconv with".into(),
        "--event-id-template 'checkout_{order_id}' and [order] id = \"id\" to match it (older".into(),
        "releases use a random id, which nothing can match: turn their tracking off). Or turn the".into(),
        "plugin's tracking off and use this snippet.".into(),
    ]);
    for l in header {
        let l = l.replace("*/", "* /");
        if l.is_empty() {
            s.push_str(" *\n");
        } else {
            let _ = writeln!(s, " * {l}");
        }
    }
    s.push_str(" */\n\nif ( ! defined( 'ABSPATH' ) ) {\n\texit;\n}\n\n");
    let _ = writeln!(
        s,
        "define( 'PINCONV_PINTEREST_TAG_ID', {} );\n",
        php_string(&o.tag_id)
    );
    s.push_str(HELPERS);
    if o.enhanced_match {
        s.push_str(
            "\n/** Enhanced match: the SHA-256 of the trimmed, lowercased email, as pinconv sends it. */\n\
             function pinconv_pinterest_em( $email ) {\n\t$email = strtolower( trim( (string) $email ) );\n\treturn '' === $email ? '' : hash( 'sha256', $email );\n}\n",
        );
    }

    // Base code.
    s.push_str("\nadd_action( 'wp_head', 'pinconv_pinterest_base_code', 1 );\n\n/** The base code, once per page, before any event. */\nfunction pinconv_pinterest_base_code() {\n\t$load = array();\n");
    if o.enhanced_match {
        s.push_str("\tif ( is_user_logged_in() ) {\n\t\t$em = pinconv_pinterest_em( wp_get_current_user()->user_email );\n\t\tif ( '' !== $em ) {\n\t\t\t$load['em'] = $em;\n\t\t}\n\t}\n");
    }
    let _ = writeln!(
        s,
        "\techo \"<script>\\n\" . {} . \"\\npintrk('load', \" . pinconv_pinterest_json( PINCONV_PINTEREST_TAG_ID ) . ( $load ? ', ' . pinconv_pinterest_json( $load ) : '' ) . \");\\npintrk('page');\\n</script>\\n\";\n\techo {} . \"\\n\";\n}}",
        php_string(js::BASE_LOADER),
        php_string(&js::noscript(&o.tag_id))
    );

    for ev in &o.events {
        s.push('\n');
        s.push_str(match ev {
            BrowserEvent::PageVisit => PAGEVISIT,
            BrowserEvent::ViewCategory => VIEWCATEGORY,
            BrowserEvent::Search => SEARCH,
            BrowserEvent::AddToCart => ADDTOCART,
            BrowserEvent::InitiateCheckout => INITIATECHECKOUT,
            BrowserEvent::AddPaymentInfo | BrowserEvent::Checkout => "",
        });
    }

    if let Some(t) = &o.web_checkout {
        let mut idents = t.needs(o.order_id);
        let data_id =
            super::template::ident(crate::template::Var::OrderId, o.order_id).unwrap_or(Ident::Id);
        idents.push(data_id);
        let mut vars: Vec<&str> = Vec::new();
        for i in idents {
            if !vars.contains(&ident_var(i)) {
                vars.push(ident_var(i));
            }
        }
        let expr = t.expression(o.order_id, php_string, |i| ident_var(i).into(), " . ");
        let _ = write!(
            s,
            "\nadd_action( 'woocommerce_thankyou', 'pinconv_pinterest_checkout', 20 );\n\n\
             /**\n * The purchase, with the event id `pinconv build` gives the order: template\n * `{}`.\n */\n\
             function pinconv_pinterest_checkout( $order_id ) {{\n\
             \t$order = wc_get_order( $order_id );\n\
             \t// Core runs this hook for failed orders too; pinconv skips failed and cancelled ones.\n\
             \tif ( ! $order || $order->has_status( array( 'failed', 'cancelled' ) ) ) {{\n\t\treturn;\n\t}}\n\
             \t// Once per order: a reload of the thank-you page prints nothing.\n\
             \tif ( $order->get_meta( '_pinconv_pinterest_checkout' ) ) {{\n\t\treturn;\n\t}}\n",
            t.text().replace("*/", "* /")
        );
        for v in &vars {
            let i = if *v == "$pinconv_id" {
                Ident::Id
            } else {
                Ident::Number
            };
            let _ = writeln!(s, "\t{v} = {};", ident_value(i));
            let _ = writeln!(s, "\tif ( '' === {v} ) {{\n\t\treturn;\n\t}}");
        }
        let _ = writeln!(s, "\t$event_id = {expr};");
        s.push_str(
            "\t$items    = array();\n\t$quantity = 0;\n\tforeach ( $order->get_items() as $item ) {\n\t\t$quantity += (int) $item->get_quantity();\n\t\t$items[]   = array(\n\t\t\t'product_id'       => (string) $item->get_product_id(),\n\t\t\t'product_name'     => $item->get_name(),\n\t\t\t'product_price'    => (float) $order->get_item_total( $item ),\n\t\t\t'product_quantity' => (int) $item->get_quantity(),\n\t\t);\n\t}\n\t$order->update_meta_data( '_pinconv_pinterest_checkout', $event_id );\n\t$order->save_meta_data();\n",
        );
        if o.enhanced_match {
            s.push_str("\t$em = pinconv_pinterest_em( $order->get_billing_email() );\n\tif ( '' !== $em ) {\n\t\techo \"<script>pintrk('set', \" . pinconv_pinterest_json( array( 'em' => $em ) ) . \");</script>\\n\";\n\t}\n");
        }
        let _ = write!(
            s,
            "\tpinconv_pinterest_track(\n\t\t'checkout',\n\t\tarray(\n\t\t\t'event_id'       => $event_id,\n\t\t\t'order_id'       => {},\n\t\t\t'value'          => (float) $order->get_total(),\n\t\t\t'currency'       => $order->get_currency(),\n\t\t\t'order_quantity' => $quantity,\n\t\t\t'line_items'     => $items,\n\t\t)\n\t);\n}}\n",
            ident_var(data_id)
        );
    }
    s
}

const HELPERS: &str = r#"/** JSON for inside a <script>: nothing in a product name can close the element. */
function pinconv_pinterest_json( $data ) {
	return wp_json_encode( $data, JSON_HEX_TAG | JSON_HEX_AMP );
}

/** Prints one `pintrk('track', ...)` call. */
function pinconv_pinterest_track( $event, $data ) {
	echo '<script>pintrk(' . pinconv_pinterest_json( 'track' ) . ', ' . pinconv_pinterest_json( $event ) . ', ' . pinconv_pinterest_json( $data ) . ");</script>\n";
}

/** One of Pinterest's line items for a product. */
function pinconv_pinterest_item( $product, $quantity ) {
	$id = $product->get_parent_id() ? $product->get_parent_id() : $product->get_id();
	return array(
		'product_id'       => (string) $id,
		'product_name'     => $product->get_name(),
		'product_price'    => (float) $product->get_price(),
		'product_quantity' => (int) $quantity,
	);
}
"#;

const PAGEVISIT: &str = r#"add_action( 'woocommerce_after_single_product', 'pinconv_pinterest_pagevisit' );

/** A product page. */
function pinconv_pinterest_pagevisit() {
	global $product;
	if ( ! is_a( $product, 'WC_Product' ) ) {
		return;
	}
	pinconv_pinterest_track(
		'pagevisit',
		array(
			'currency'   => get_woocommerce_currency(),
			'line_items' => array( pinconv_pinterest_item( $product, 1 ) ),
		)
	);
}
"#;

const VIEWCATEGORY: &str = r#"add_action( 'wp_footer', 'pinconv_pinterest_viewcategory' );

/** A product category archive. */
function pinconv_pinterest_viewcategory() {
	if ( ! is_product_category() ) {
		return;
	}
	pinconv_pinterest_track( 'viewcategory', array( 'category_name' => single_term_title( '', false ) ) );
}
"#;

const SEARCH: &str = r#"add_action( 'wp_footer', 'pinconv_pinterest_search' );

/** A search results page. */
function pinconv_pinterest_search() {
	if ( ! is_search() ) {
		return;
	}
	pinconv_pinterest_track( 'search', array( 'search_query' => get_search_query( false ) ) );
}
"#;

const ADDTOCART: &str = r#"add_action( 'woocommerce_add_to_cart', 'pinconv_pinterest_remember_addtocart', 10, 4 );
add_action( 'wp_footer', 'pinconv_pinterest_addtocart' );

/**
 * An add to cart happens in a form post or an AJAX request, which print no page: it is kept
 * in the session and fired on the next page shown.
 */
function pinconv_pinterest_remember_addtocart( $cart_item_key, $product_id, $quantity, $variation_id ) {
	$product = wc_get_product( $variation_id ? $variation_id : $product_id );
	if ( ! $product || ! WC()->session ) {
		return;
	}
	$added   = (array) WC()->session->get( 'pinconv_pinterest_addtocart', array() );
	$added[] = array(
		'value'          => round( (float) $product->get_price() * (int) $quantity, 2 ),
		'currency'       => get_woocommerce_currency(),
		'order_quantity' => (int) $quantity,
		'line_items'     => array( pinconv_pinterest_item( $product, $quantity ) ),
	);
	WC()->session->set( 'pinconv_pinterest_addtocart', $added );
}

/** Fires the add-to-carts kept since the last page. */
function pinconv_pinterest_addtocart() {
	if ( ! WC()->session ) {
		return;
	}
	$added = (array) WC()->session->get( 'pinconv_pinterest_addtocart', array() );
	if ( ! $added ) {
		return;
	}
	WC()->session->set( 'pinconv_pinterest_addtocart', array() );
	foreach ( $added as $data ) {
		pinconv_pinterest_track( 'addtocart', $data );
	}
}
"#;

const INITIATECHECKOUT: &str = r#"add_action( 'wp_footer', 'pinconv_pinterest_initiatecheckout' );

/** The checkout page (not the order-received page that follows it). */
function pinconv_pinterest_initiatecheckout() {
	if ( ! is_checkout() || is_order_received_page() || ! WC()->cart ) {
		return;
	}
	$items = array();
	foreach ( WC()->cart->get_cart() as $values ) {
		$items[] = pinconv_pinterest_item( $values['data'], $values['quantity'] );
	}
	pinconv_pinterest_track(
		'initiatecheckout',
		array(
			'value'          => (float) WC()->cart->get_total( 'edit' ),
			'currency'       => get_woocommerce_currency(),
			'order_quantity' => (int) WC()->cart->get_cart_contents_count(),
			'line_items'     => $items,
		)
	);
}
"#;
