<?php
/**
 * Runs a generated WooCommerce snippet the way WordPress does, under stand-ins of the
 * WordPress and WooCommerce functions it calls: the snippet is loaded like a must-use
 * plugin, then each request of the scenario is served: an add to cart (WooCommerce's
 * `woocommerce_add_to_cart` action, which prints no page), or a page (`wp_head`, the page's
 * own hooks — `woocommerce_after_single_product`, `woocommerce_before_thankyou` and
 * `woocommerce_thankyou` as core's thankyou.php calls them — and `wp_footer`). The session
 * and the orders' meta live for the whole run, as they would across requests.
 *
 * usage: php woo.php SNIPPET.php SCENARIO.json  ->  {"pages": ["<html>...", ...]}
 */

define( 'ABSPATH', __DIR__ . '/' );

$pinconv_hooks = array();
$pinconv_req   = array();
$pinconv_scn   = json_decode( file_get_contents( $argv[2] ), true );

function add_action( $hook, $callback, $priority = 10, $accepted_args = 1 ) {
	global $pinconv_hooks;
	$pinconv_hooks[ $hook ][ $priority ][] = array( $callback, $accepted_args );
	return true;
}

function do_action( $hook, ...$args ) {
	global $pinconv_hooks;
	if ( empty( $pinconv_hooks[ $hook ] ) ) {
		return;
	}
	ksort( $pinconv_hooks[ $hook ] );
	foreach ( $pinconv_hooks[ $hook ] as $callbacks ) {
		foreach ( $callbacks as list( $callback, $accepted ) ) {
			call_user_func_array( $callback, array_slice( $args, 0, $accepted ) );
		}
	}
}

function wp_json_encode( $data, $options = 0, $depth = 512 ) {
	return json_encode( $data, $options, $depth );
}

function pinconv_req( $key, $default = null ) {
	global $pinconv_req;
	return array_key_exists( $key, $pinconv_req ) ? $pinconv_req[ $key ] : $default;
}

function is_product() { return 'product' === pinconv_req( 'page' ); }
function is_product_category() { return 'category' === pinconv_req( 'page' ); }
function is_search() { return 'search' === pinconv_req( 'page' ); }
function is_checkout() { return in_array( pinconv_req( 'page' ), array( 'checkout', 'thankyou' ), true ); }
function is_order_received_page() { return 'thankyou' === pinconv_req( 'page' ); }
function single_term_title( $prefix = '', $display = true ) { return $prefix . pinconv_req( 'category', '' ); }
function get_search_query( $escaped = true ) {
	$q = pinconv_req( 'search', '' );
	return $escaped ? htmlspecialchars( $q ) : $q;
}

function is_user_logged_in() {
	global $pinconv_scn;
	return ! empty( $pinconv_scn['user_email'] );
}

function wp_get_current_user() {
	global $pinconv_scn;
	$u             = new stdClass();
	$u->user_email = isset( $pinconv_scn['user_email'] ) ? $pinconv_scn['user_email'] : '';
	return $u;
}

function get_woocommerce_currency() {
	global $pinconv_scn;
	return $pinconv_scn['currency'];
}

class WC_Product {
	public $id;
	public $d;
	public function __construct( $id, $d ) { $this->id = (int) $id; $this->d = $d; }
	public function get_id() { return $this->id; }
	public function get_parent_id() { return isset( $this->d['parent_id'] ) ? (int) $this->d['parent_id'] : 0; }
	public function get_name() { return $this->d['name']; }
	public function get_price() { return $this->d['price']; }
}

function wc_get_product( $id ) {
	global $pinconv_scn;
	return isset( $pinconv_scn['products'][ (string) $id ] ) ? new WC_Product( $id, $pinconv_scn['products'][ (string) $id ] ) : false;
}

class WC_Order_Item_Product {
	public $d;
	public function __construct( $d ) { $this->d = $d; }
	public function get_product_id() { return (int) $this->d['product_id']; }
	public function get_name() { return $this->d['name']; }
	public function get_quantity() { return (int) $this->d['quantity']; }
	public function get_total() { return $this->d['total']; }
}

class WC_Order {
	public $id;
	public $d;
	public $meta  = array();
	public $saved = array();
	public function __construct( $id, $d ) { $this->id = (int) $id; $this->d = $d; }
	public function get_id() { return $this->id; }
	public function get_order_number() { return isset( $this->d['number'] ) ? $this->d['number'] : (string) $this->id; }
	public function has_status( $status ) { return in_array( $this->d['status'], (array) $status, true ); }
	public function get_meta( $key ) { return isset( $this->saved[ $key ] ) ? $this->saved[ $key ] : ''; }
	public function update_meta_data( $key, $value ) { $this->meta[ $key ] = $value; }
	public function save_meta_data() { $this->saved = array_merge( $this->saved, $this->meta ); }
	public function get_items() { return array_map( function ( $i ) { return new WC_Order_Item_Product( $i ); }, $this->d['items'] ); }
	public function get_item_total( $item ) { return round( (float) $item->get_total() / max( 1, $item->get_quantity() ), 2 ); }
	public function get_total() { return $this->d['total']; }
	public function get_currency() { return $this->d['currency']; }
	public function get_billing_email() { return $this->d['email']; }
}

$pinconv_orders = array();
function wc_get_order( $id ) {
	global $pinconv_scn, $pinconv_orders;
	$key = (string) $id;
	if ( ! isset( $pinconv_scn['orders'][ $key ] ) ) {
		return false;
	}
	if ( ! isset( $pinconv_orders[ $key ] ) ) {
		$pinconv_orders[ $key ] = new WC_Order( $id, $pinconv_scn['orders'][ $key ] );
	}
	return $pinconv_orders[ $key ];
}

class Pinconv_Session {
	public $data = array();
	public function get( $key, $default = null ) { return isset( $this->data[ $key ] ) ? $this->data[ $key ] : $default; }
	public function set( $key, $value ) { $this->data[ $key ] = $value; }
}

class Pinconv_Cart {
	public function get_cart() {
		global $pinconv_scn;
		$out = array();
		foreach ( $pinconv_scn['cart'] as $line ) {
			$out[] = array( 'data' => wc_get_product( $line['product_id'] ), 'quantity' => $line['quantity'], 'product_id' => $line['product_id'] );
		}
		return $out;
	}
	public function get_total( $context = 'view' ) {
		global $pinconv_scn;
		return $pinconv_scn['cart_total'];
	}
	public function get_cart_contents_count() {
		global $pinconv_scn;
		return array_sum( array_column( $pinconv_scn['cart'], 'quantity' ) );
	}
}

class Pinconv_WooCommerce {
	public $session;
	public $cart;
	public function __construct() { $this->session = new Pinconv_Session(); $this->cart = new Pinconv_Cart(); }
}

function WC() {
	static $wc = null;
	if ( null === $wc ) {
		$wc = new Pinconv_WooCommerce();
	}
	return $wc;
}

require $argv[1];

$pages = array();
foreach ( $pinconv_scn['requests'] as $req ) {
	$pinconv_req = $req;
	if ( isset( $req['add_to_cart'] ) ) {
		$a = $req['add_to_cart'];
		do_action( 'woocommerce_add_to_cart', 'cart-key', $a['product_id'], $a['quantity'], isset( $a['variation_id'] ) ? $a['variation_id'] : 0, array(), array() );
		continue;
	}
	ob_start();
	echo "<!DOCTYPE html>\n<html><head>\n";
	do_action( 'wp_head' );
	echo "</head><body>\n";
	if ( 'product' === $req['page'] ) {
		$GLOBALS['product'] = wc_get_product( $req['product_id'] );
		do_action( 'woocommerce_after_single_product' );
	}
	if ( 'thankyou' === $req['page'] ) {
		do_action( 'woocommerce_before_thankyou', $req['order_id'] );
		do_action( 'woocommerce_thankyou', $req['order_id'] );
	}
	do_action( 'wp_footer' );
	echo "</body></html>\n";
	$pages[] = ob_get_clean();
}
echo json_encode( array( 'pages' => $pages ) );
