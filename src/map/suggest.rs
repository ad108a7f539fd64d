//! Column suggestions by name: which header column most likely holds a field pinconv needs
//! or would use, whatever language the shop's spreadsheet speaks (English, German, French,
//! Spanish, Italian, Dutch). One table of words per field and one chooser, used by the
//! mapping report of `check`, `build` and `send` and by `pinconv init`.

use std::borrow::Cow;

use icu_normalizer::DecomposingNormalizerBorrowed;
use serde::Serialize;

use super::Key;
use crate::config::OrderIdSource;

/// Words per field, written folded (lowercase, no accents, no spaces or punctuation:
/// `Währung` is `wahrung`, `Código postal` is `codigopostal`). A word matches a whole header
/// name or one of its words; a word of four letters or more also matches inside a compound
/// (`Kundenmail`, `Bestelldatum`). A leading `=` keeps a word to whole words: `=ort` is `Ort`,
/// not `Sport`; `=name` is `Name`, not `Produktname`.
// One line of words per field, English first; rustfmt would put each word on its own line.
#[rustfmt::skip]
const WORDS: &[(Key, &[&str])] = &[
    (Key::Email, &[
        "email", "mail", "emailadresse", "mailadresse", "emailadres", "courriel", "adressemail",
        "correo", "correoelectronico", "=posta", "postaelettronica",
    ]),
    (Key::Phone, &[
        "phone", "telephone", "=tel", "telefon", "telefonnummer", "handy", "mobil", "mobile",
        "telefono", "telefoon", "cellulare", "=cell", "portable", "movil", "=gsm",
    ]),
    (Key::FirstName, &[
        "firstname", "givenname", "forename", "vorname", "prenom", "nombre", "=nome", "voornaam",
    ]),
    (Key::LastName, &[
        "lastname", "surname", "familyname", "nachname", "familienname", "=nom", "nomdefamille",
        "apellido", "apellidos", "cognome", "achternaam",
    ]),
    (Key::FullName, &[
        "=name", "fullname", "customername", "=customer", "=kunde", "kundenname", "nomcomplet",
        "=client", "nombrecompleto", "=cliente", "nomecompleto", "=naam", "volledigenaam",
        "=klant",
    ]),
    (Key::City, &[
        "city", "=town", "stadt", "=ort", "wohnort", "ville", "ciudad", "localidad", "poblacion",
        "citta", "comune", "=stad", "plaats", "woonplaats",
    ]),
    (Key::State, &[
        "state", "province", "=region", "county", "bundesland", "provinz", "departement",
        "provincia", "regione", "=staat",
    ]),
    (Key::Zip, &[
        "=zip", "zipcode", "postcode", "postalcode", "=plz", "postleitzahl", "codepostal", "=cp",
        "codigopostal", "=cap",
    ]),
    (Key::Country, &[
        "country", "countrycode", "=land", "=pays", "=pais", "paese", "nazione",
    ]),
    (Key::BirthDate, &[
        "birthdate", "birthday", "dateofbirth", "=dob", "geburtsdatum", "geburtstag",
        "datedenaissance", "fechadenacimiento", "datadinascita", "geboortedatum",
    ]),
    (Key::ExternalId, &[
        "customerid", "customernumber", "kundennummer", "kundennr", "kundenid", "idclient",
        "numeroclient", "idcliente", "numerocliente", "klantnummer",
    ]),
    (Key::EventTime, &[
        "=date", "=time", "orderdate", "purchasedate", "created", "timestamp", "datum", "=zeit",
        "bestelldatum", "bestellzeit", "kaufdatum", "erstellt", "datedecommande", "datecommande",
        "=heure", "=fecha", "fechadepedido", "fechapedido", "=hora", "=data", "dataordine",
        "datacreazione", "=ora", "besteldatum", "orderdatum", "=tijd",
    ]),
    (Key::OrderId, &[
        "orderid", "ordernumber", "orderno", "=order", "=id", "=nr", "=no", "=number",
        "reference", "bestellnummer", "bestellnr", "bestellid", "=bestellung", "auftragsnummer",
        "auftragsnr", "=auftrag", "=nummer", "referenz", "numerodecommande", "numerocommande",
        "=commande", "numerodepedido", "numeropedido", "=pedido", "numeroordine", "=ordine",
        "bestelnummer", "ordernummer", "=bestelling",
    ]),
    (Key::Total, &[
        "total", "ordertotal", "grandtotal", "amount", "=value", "betrag", "=summe",
        "gesamtsumme", "gesamtbetrag", "gesamtpreis", "endbetrag", "bruttobetrag", "=brutto",
        "=wert", "montant", "valeur", "importe", "=valor", "totale", "importo", "valore",
        "bedrag", "totaal", "waarde",
    ]),
    (Key::Subtotal, &[
        "subtotal", "zwischensumme", "nettobetrag", "=netto", "warenwert", "soustotal",
        "subtotale", "subtotaal",
    ]),
    (Key::Tax, &[
        "=tax", "taxes", "taxamount", "=vat", "steuer", "=mwst", "=ust", "mehrwertsteuer", "=tva",
        "impuesto", "impuestos", "=iva", "imposta", "=btw",
    ]),
    (Key::Shipping, &[
        "shipping", "=versand", "versandkosten", "=porto", "=livraison", "fraisdeport",
        "fraisdelivraison", "=envio", "gastosdeenvio", "spedizione", "costidispedizione",
        "=verzending", "verzendkosten",
    ]),
    (Key::Discount, &[
        "discount", "rabatt", "nachlass", "gutschein", "remise", "reduction", "descuento",
        "sconto", "korting",
    ]),
    (Key::Currency, &[
        "currency", "=cur", "wahrung", "waehrung", "devise", "monnaie", "moneda", "divisa",
        "valuta", "=munt",
    ]),
];

/// A column that also matches one of these fields is not this field: `Steuerbetrag` is the
/// tax, not the total; `Vorname` the first name, not the full name; `Shipping City` a city,
/// not the shipping cost; `Bundesland` a state, not a country.
fn beaten_by(key: Key) -> &'static [Key] {
    const IDENTITY: &[Key] = &[
        Key::Email,
        Key::Phone,
        Key::FirstName,
        Key::LastName,
        Key::FullName,
        Key::City,
        Key::State,
        Key::Zip,
        Key::Country,
    ];
    match key {
        Key::Total => &[Key::Subtotal, Key::Tax, Key::Shipping, Key::Discount],
        Key::FullName => &[Key::FirstName, Key::LastName, Key::ExternalId],
        Key::Shipping => IDENTITY,
        Key::EventTime => &[Key::BirthDate],
        Key::Country => &[Key::State],
        Key::OrderId => &[Key::ExternalId, Key::Phone],
        _ => &[],
    }
}

/// Words that make an identity column the delivery recipient's, who may not be the buyer: a
/// buyer's column is preferred.
const RECIPIENT: &[&str] = &[
    "shipping",
    "ship",
    "delivery",
    "recipient",
    "versand",
    "liefer",
    "empfanger",
    "livraison",
    "envio",
    "entrega",
    "spedizione",
    "consegna",
    "verzend",
    "bezorg",
];

/// Words that make a column something else than an amount: `Shipping Address`,
/// `Shipping Method`, `Discount Code`, `Tax Rate` are not money.
const NOT_MONEY: &[&str] = &[
    "address",
    "adresse",
    "anschrift",
    "direccion",
    "indirizzo",
    "adres",
    "method",
    "methode",
    "metodo",
    "methodedelivraison",
    "type",
    "typ",
    "tipo",
    "status",
    "date",
    "datum",
    "fecha",
    "name",
    "carrier",
    "zone",
    "code",
    "tracking",
    "rate",
    "satz",
    "percent",
    "prozent",
    "country",
    "city",
    "zip",
    "id",
    "nr",
    "number",
    "nummer",
];

/// Identity and money fields: an unread column that looks like one is worth a word.
const WORTH_READING: &[Key] = &[
    Key::Email,
    Key::Phone,
    Key::FirstName,
    Key::LastName,
    Key::FullName,
    Key::City,
    Key::State,
    Key::Zip,
    Key::Country,
    Key::BirthDate,
    Key::ExternalId,
    Key::Total,
    Key::Subtotal,
    Key::Tax,
    Key::Shipping,
    Key::Discount,
    Key::Currency,
];

/// Why a `[columns]` line is suggested.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// Without the field orders are rejected or lose something Pinterest needs.
    Needed,
    /// A column no field reads looks like this identity or money field.
    Unread,
}

/// One suggested `[columns]` line: the field, and the column that seems to hold it (none when
/// no column looks like a needed field).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    /// The `[columns]` field name.
    pub field: &'static str,
    /// The header column suggested.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// Why.
    pub reason: Reason,
    /// What the field is for, in a few words.
    #[serde(skip)]
    pub what: &'static str,
}

/// What the `event_id` template needs of every order: one of `keys`, for `{placeholder}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdNeed {
    /// The placeholder's name, without braces.
    pub placeholder: &'static str,
    /// Any one of these fields gives it.
    pub keys: &'static [Key],
    /// The `--order-id` choice behind `{order_id}`, when it is not `auto`.
    pub source: Option<&'static str>,
}

impl IdNeed {
    /// Whether this is `{order_id}` with `--order-id auto` (any identifier gives it).
    #[must_use]
    pub fn is_any_order_id(&self) -> bool {
        self.source.is_none() && self.keys.len() > 1
    }
}

/// The order fields each placeholder of an `event_id` template needs. The template has been
/// parsed already (unknown placeholders are an error there), so only known names are here.
#[must_use]
pub fn event_id_needs(template: &str, source: OrderIdSource) -> Vec<IdNeed> {
    const ANY: &[Key] = &[Key::OrderId, Key::OrderNumber, Key::OrderName];
    let mut out = Vec::new();
    let mut rest = template;
    while let Some((_, tail)) = rest.split_once('{') {
        let Some((name, after)) = tail.split_once('}') else {
            break;
        };
        rest = after;
        let need = match name {
            "order_id" => match source {
                OrderIdSource::Auto => Some(("order_id", ANY, None)),
                OrderIdSource::Id => Some(("order_id", &[Key::OrderId][..], Some("id"))),
                OrderIdSource::Number => {
                    Some(("order_id", &[Key::OrderNumber][..], Some("number")))
                }
                OrderIdSource::Name => Some(("order_id", &[Key::OrderName][..], Some("name"))),
            },
            "id" => Some(("id", &[Key::OrderId][..], None)),
            "order_number" => Some(("order_number", &[Key::OrderNumber][..], None)),
            "order_name" => Some(("order_name", &[Key::OrderName][..], None)),
            _ => None,
        };
        if let Some((placeholder, keys, source)) = need {
            let need = IdNeed {
                placeholder,
                keys,
                source,
            };
            if !out.contains(&need) {
                out.push(need);
            }
        }
    }
    out
}

/// The default template's needs: `{order_id}` with `auto`.
#[must_use]
pub fn default_id_needs() -> Vec<IdNeed> {
    event_id_needs("{order_id}", OrderIdSource::Auto)
}

/// A header name folded for matching: lowercase, accents dropped, `ß` as `ss`.
fn fold(s: &str) -> String {
    let decomposed: Cow<'_, str> = if s.is_ascii() {
        Cow::Borrowed(s)
    } else {
        DecomposingNormalizerBorrowed::new_nfd().normalize(s)
    };
    decomposed
        .chars()
        // Combining diacritical marks, left over from the decomposition.
        .filter(|c| !('\u{300}'..='\u{36f}').contains(c))
        .flat_map(char::to_lowercase)
        .flat_map(|c| if c == 'ß' { vec!['s', 's'] } else { vec![c] })
        .collect()
}

/// The words of a header name: split at anything not a letter or digit and where a lowercase
/// letter meets an uppercase one (`OrderDate`), each folded.
fn words(header: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in header.chars() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(fold(&cur));
                cur.clear();
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !cur.is_empty() {
            out.push(fold(&cur));
            cur.clear();
        }
        prev_lower = c.is_lowercase();
        cur.push(c);
    }
    if !cur.is_empty() {
        out.push(fold(&cur));
    }
    out
}

/// How alike a header name and a field's word must be to count as a near spelling.
const NEAR: f64 = 0.85;

/// Whether texts of `a` and `b` characters can be [`NEAR`] alike at all: the edit distance is
/// at least the difference of their lengths, so the similarity, one minus the distance over
/// the longer length, is at most the shorter length over the longer. The distance itself
/// costs the product of the lengths; a long header name (a hostile 64 KiB header of them
/// took seconds) needs none.
fn near_length(a: usize, b: usize) -> bool {
    let (short, long) = (a.min(b), a.max(b));
    // The margin keeps a rounding of the bound from ruling out what reaches `NEAR` exactly.
    long == 0 || short as f64 / long as f64 >= NEAR - 1e-9
}

/// How well a header name matches a field's words, 0 for not at all.
fn raw_score(header: &str, key: Key) -> u32 {
    let Some((_, list)) = WORDS.iter().find(|(k, _)| *k == key) else {
        return 0;
    };
    let parts = words(header);
    let whole: String = parts.concat();
    let whole_chars = whole.chars().count();
    let mut best = 0u32;
    for w in *list {
        let (w, whole_only) = match w.strip_prefix('=') {
            Some(w) => (w, true),
            None => (*w, false),
        };
        let len = u32::try_from(w.len()).unwrap_or(u32::MAX);
        let score = if whole == w {
            200 + len
        } else if parts.iter().any(|p| p == w) {
            100 + len
        } else if !whole_only && w.len() >= 4 && whole.contains(w) {
            50 + len
        } else if !whole_only
            && w.len() >= 6
            && near_length(whole_chars, w.chars().count())
            && strsim::normalized_damerau_levenshtein(&whole, w) >= NEAR
        {
            // A near spelling: `Postleitzahlen`, `Telephon`, `Emial`.
            40 + len
        } else {
            0
        };
        best = best.max(score);
    }
    if best > 0 && RECIPIENT.iter().any(|r| whole.contains(r)) && key != Key::Shipping {
        best /= 2;
    }
    best
}

/// The score of `header` for `key`, 0 when a more specific field matches it too.
fn score(header: &str, key: Key) -> u32 {
    if beaten_by(key).iter().any(|b| raw_score(header, *b) > 0) {
        return 0;
    }
    let money = [
        Key::Total,
        Key::Subtotal,
        Key::Tax,
        Key::Shipping,
        Key::Discount,
    ];
    if money.contains(&key)
        && words(header)
            .iter()
            .any(|w| NOT_MONEY.contains(&w.as_str()))
    {
        return 0;
    }
    raw_score(header, key)
}

/// The field a header name looks like, if any (the best-scoring one).
#[must_use]
pub fn looks_like(header: &str) -> Option<Key> {
    WORDS
        .iter()
        .map(|(k, _)| (score(header, *k), *k))
        .filter(|(s, _)| *s > 0)
        .max_by_key(|(s, _)| *s)
        .map(|(_, k)| k)
}

fn what(key: Key) -> &'static str {
    match key {
        Key::Email => "the customer's email, to match the order to a person",
        Key::EventTime => "the order's date and time",
        Key::OrderId | Key::OrderNumber | Key::OrderName => {
            "the order's identifier, for `event_id`"
        }
        Key::Total => "the order's value",
        Key::Currency => "the currency of the value",
        Key::FirstName => "the customer's first name",
        Key::LastName => "the customer's last name",
        Key::FullName => "the customer's name",
        Key::Phone => "the customer's phone number",
        Key::City => "the customer's city",
        Key::State => "the customer's state or region",
        Key::Zip => "the customer's postal code",
        Key::Country => "the customer's country",
        Key::BirthDate => "the customer's date of birth",
        Key::ExternalId => "the shop's customer id",
        Key::Subtotal => "the order's subtotal",
        Key::Tax => "the order's tax",
        Key::Shipping => "the order's shipping cost",
        Key::Discount => "the order's discount",
        _ => "",
    }
}

/// The `[columns]` lines a header needs: every field pinconv needs that no column gives,
/// with the column whose name looks most like it, then every unread column that looks like
/// an identity or money field. `mapped` is what the preset and the config already read
/// (column indices per field); `needs` what the `event_id` template needs.
#[must_use]
pub fn advise(
    header: &[String],
    mapped: &[(Key, Vec<usize>)],
    needs: &[IdNeed],
) -> Vec<Suggestion> {
    let has = |k: Key| mapped.iter().any(|(m, _)| *m == k);
    let mut needed: Vec<Key> = Vec::new();
    if !(has(Key::Email) || has(Key::Maid) || has(Key::ClientIp) && has(Key::UserAgent)) {
        needed.push(Key::Email);
    }
    if !has(Key::EventTime) {
        needed.push(Key::EventTime);
    }
    if !has(Key::EventId) {
        for need in needs {
            if !need.keys.iter().any(|k| has(*k)) && !needed.contains(&need.keys[0]) {
                needed.push(need.keys[0]);
            }
        }
    }
    let value_keys = [
        Key::Value,
        Key::Total,
        Key::Subtotal,
        Key::ItemPrice,
        Key::LineItems,
    ];
    if !value_keys.iter().any(|k| has(*k)) {
        needed.push(Key::Total);
    }
    if !has(Key::Currency) {
        needed.push(Key::Currency);
    }
    let names = [Key::FirstName, Key::LastName, Key::FullName];
    let any_name = names.iter().any(|k| has(*k));
    let wanted: Vec<Key> = needed
        .iter()
        .copied()
        .chain(
            WORTH_READING
                .iter()
                .copied()
                .filter(|k| !has(*k) && !needed.contains(k))
                .filter(|k| !(any_name && names.contains(k))),
        )
        .collect();
    let used: Vec<bool> = (0..header.len())
        .map(|i| mapped.iter().any(|(_, idx)| idx.contains(&i)))
        .collect();
    // Every (column, field) pair that matches, best first; each column and field taken once.
    let mut pairs: Vec<(u32, usize, usize)> = Vec::new();
    for (i, h) in header.iter().enumerate() {
        if used[i] || h.trim().is_empty() || !super::showable_header(h) {
            continue;
        }
        for (n, k) in wanted.iter().enumerate() {
            let s = score(h, *k);
            if s > 0 {
                pairs.push((s, i, n));
            }
        }
    }
    pairs.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut column_of: Vec<Option<usize>> = vec![None; wanted.len()];
    let mut taken = vec![false; header.len()];
    for (_, i, n) in pairs {
        if !taken[i] && column_of[n].is_none() {
            taken[i] = true;
            column_of[n] = Some(i);
        }
    }
    // A first or last name makes the full name unneeded, and the other way round.
    let first_or_last = [Key::FirstName, Key::LastName].iter().any(|k| {
        wanted
            .iter()
            .zip(&column_of)
            .any(|(w, c)| w == k && c.is_some())
    });
    let mut out = Vec::new();
    for (n, key) in wanted.iter().enumerate() {
        let column = column_of[n].map(|i| header[i].trim().to_owned());
        let reason = if needed.contains(key) {
            Reason::Needed
        } else {
            Reason::Unread
        };
        if reason == Reason::Unread && column.is_none() || *key == Key::FullName && first_or_last {
            continue;
        }
        out.push(Suggestion {
            field: key.name(),
            column,
            reason,
            what: what(*key),
        });
    }
    out
}

/// The suggestions as `[columns]` lines of a TOML file: a line for each column found, and a
/// commented-out one for a needed field no column looks like (so the file still loads).
#[must_use]
pub fn toml_lines(suggestions: &[Suggestion]) -> Vec<String> {
    suggestions.iter().map(toml_line).collect()
}

/// One suggestion as a `[columns]` line (commented out when no column was found).
#[must_use]
pub fn toml_line(s: &Suggestion) -> String {
    match &s.column {
        Some(c) => format!("{} = {}", s.field, toml::Value::String(c.clone())),
        None => format!(
            "# {} = \"...\"   (no column looks like {}: name yours here)",
            s.field, s.what
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(s: &str) -> Vec<String> {
        s.split(',').map(str::to_owned).collect()
    }

    fn lines(h: &str) -> Vec<(String, Option<String>, Reason)> {
        advise(&header(h), &[], &default_id_needs())
            .into_iter()
            .map(|s| (s.field.to_owned(), s.column, s.reason))
            .collect()
    }

    fn column(h: &str, field: &str) -> Option<String> {
        lines(h)
            .into_iter()
            .find(|(f, _, _)| f == field)
            .and_then(|(_, c, _)| c)
    }

    #[test]
    fn a_german_header_is_mapped_by_meaning_not_position() {
        let h = "Bestellnummer,Bestelldatum,Kontakt-Mail,Vorname,Nachname,Stadt,PLZ,Betrag,Währung";
        let got = lines(h);
        let want = [
            ("email", "Kontakt-Mail", Reason::Needed),
            ("event_time", "Bestelldatum", Reason::Needed),
            ("order_id", "Bestellnummer", Reason::Needed),
            ("total", "Betrag", Reason::Needed),
            ("currency", "Währung", Reason::Needed),
            ("first_name", "Vorname", Reason::Unread),
            ("last_name", "Nachname", Reason::Unread),
            ("city", "Stadt", Reason::Unread),
            ("zip", "PLZ", Reason::Unread),
        ];
        let want: Vec<_> = want
            .iter()
            .map(|(f, c, r)| ((*f).to_owned(), Some((*c).to_owned()), *r))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn french_spanish_italian_and_dutch_headers() {
        for (h, want) in [
            (
                "Numéro de commande,Date de commande,Courriel,Prénom,Nom,Ville,Code postal,Montant,Devise",
                ["Courriel", "Date de commande", "Numéro de commande", "Montant", "Devise", "Prénom", "Nom", "Ville", "Code postal"],
            ),
            (
                "Número de pedido,Fecha,Correo electrónico,Nombre,Apellidos,Ciudad,Código postal,Importe,Moneda",
                ["Correo electrónico", "Fecha", "Número de pedido", "Importe", "Moneda", "Nombre", "Apellidos", "Ciudad", "Código postal"],
            ),
            (
                "Numero ordine,Data,Email,Nome,Cognome,Città,CAP,Totale,Valuta",
                ["Email", "Data", "Numero ordine", "Totale", "Valuta", "Nome", "Cognome", "Città", "CAP"],
            ),
            (
                "Bestelnummer,Besteldatum,E-mailadres,Voornaam,Achternaam,Woonplaats,Postcode,Bedrag,Munt",
                ["E-mailadres", "Besteldatum", "Bestelnummer", "Bedrag", "Munt", "Voornaam", "Achternaam", "Woonplaats", "Postcode"],
            ),
        ] {
            let cols: Vec<String> = lines(h).into_iter().filter_map(|(_, c, _)| c).collect();
            assert_eq!(cols, want, "{h}");
        }
    }

    #[test]
    fn the_specific_field_wins_over_the_general_one() {
        let h = "Bestellnr,Datum,Mail,Zwischensumme,Steuerbetrag,Versandkosten,Gesamtsumme,Geburtsdatum,Bundesland,Lieferstadt,Stadt";
        assert_eq!(column(h, "total").as_deref(), Some("Gesamtsumme"));
        assert_eq!(column(h, "tax").as_deref(), Some("Steuerbetrag"));
        assert_eq!(column(h, "shipping").as_deref(), Some("Versandkosten"));
        assert_eq!(column(h, "event_time").as_deref(), Some("Datum"));
        assert_eq!(column(h, "birth_date").as_deref(), Some("Geburtsdatum"));
        assert_eq!(column(h, "state").as_deref(), Some("Bundesland"));
        assert_eq!(column(h, "country"), None);
        // The buyer's city, not the delivery's.
        assert_eq!(column(h, "city").as_deref(), Some("Stadt"));
        // Not every column named after an amount is one.
        for h in [
            "Shipping Address",
            "Shipping Method",
            "Discount Code",
            "Tax Rate",
        ] {
            assert_eq!(looks_like(h), None, "{h}");
        }
        // First and last name make the full name unneeded.
        assert_eq!(column("Vorname,Nachname,Kunde", "full_name"), None);
        assert_eq!(column("Kunde,Mail", "full_name").as_deref(), Some("Kunde"));
    }

    #[test]
    fn a_needed_field_without_a_column_is_listed_without_one() {
        let got = lines("Foo,Bar");
        assert!(got
            .iter()
            .all(|(_, c, r)| c.is_none() && *r == Reason::Needed));
        let fields: Vec<&str> = got.iter().map(|(f, _, _)| f.as_str()).collect();
        assert_eq!(
            fields,
            ["email", "event_time", "order_id", "total", "currency"]
        );
        // Unread columns that look like nothing are not mentioned.
        assert!(lines("Notiz,Kommentar")
            .iter()
            .all(|(_, _, r)| *r == Reason::Needed));
    }

    #[test]
    fn mapped_fields_and_columns_are_left_out() {
        let h = header("Mail,Datum,Nr,Summe,EUR,Vorname");
        let mapped = vec![(Key::Email, vec![0]), (Key::EventTime, vec![1])];
        let got = advise(&h, &mapped, &default_id_needs());
        let fields: Vec<&str> = got.iter().map(|s| s.field).collect();
        assert_eq!(fields, ["order_id", "total", "currency", "first_name"]);
        assert_eq!(got[0].column.as_deref(), Some("Nr"));
        // A mapped name keeps the other name fields quiet.
        let mapped = vec![(Key::Email, vec![0]), (Key::FullName, vec![3])];
        assert!(advise(&h, &mapped, &default_id_needs())
            .iter()
            .all(|s| s.field != "first_name"));
    }

    #[test]
    fn template_needs_follow_the_order_id_choice() {
        let needs = event_id_needs("{order_number}-{event_name}", OrderIdSource::Auto);
        assert_eq!(needs.len(), 1);
        assert_eq!(needs[0].keys, [Key::OrderNumber]);
        let needs = event_id_needs("{order_id}", OrderIdSource::Name);
        assert_eq!(needs[0].keys, [Key::OrderName]);
        assert_eq!(needs[0].source, Some("name"));
        assert_eq!(default_id_needs()[0].keys.len(), 3);
    }

    #[test]
    fn toml_lines_quote_and_comment_out() {
        let s = advise(&header("Foo,Buyer's Email"), &[], &default_id_needs());
        let l = toml_lines(&s);
        assert_eq!(l[0], "email = \"Buyer's Email\"");
        assert!(l[1].starts_with("# event_time = \"...\""), "{}", l[1]);
        let parsed: toml::Table = l.join("\n").parse().unwrap();
        assert_eq!(parsed.len(), 1);
    }

    #[test]
    fn folding_and_words() {
        assert_eq!(fold("Währung"), "wahrung");
        assert_eq!(fold("Straße"), "strasse");
        assert_eq!(words("OrderDate"), ["order", "date"]);
        assert_eq!(words("Kontakt-Mail"), ["kontakt", "mail"]);
        assert_eq!(looks_like("Kundenmail"), Some(Key::Email));
        assert_eq!(looks_like("Sport"), None);
        assert_eq!(looks_like("Telephon"), Some(Key::Phone));
    }

    #[test]
    fn the_length_bound_rules_out_only_what_cannot_be_a_near_spelling() {
        // Texts of one letter repeated are exactly as far apart as their lengths: the bound
        // is tight there, so it must agree with the similarity at every length, 0.85 itself
        // (17 and 20) included.
        for a in 1..=60 {
            for b in 1..=60 {
                let sim = strsim::normalized_damerau_levenshtein(&"e".repeat(a), &"e".repeat(b));
                assert_eq!(near_length(a, b), sim >= NEAR, "{a} and {b}: {sim}");
            }
        }
        // Elsewhere it only ever lets through more than the similarity does.
        let words = [
            "postleitzahl",
            "telephone",
            "emailaddress",
            "zip",
            "kundenmail",
            "ü",
        ];
        for x in words {
            for y in words {
                let (x, y) = (x.repeat(2), format!("{y}x"));
                if !near_length(x.chars().count(), y.chars().count()) {
                    assert!(
                        strsim::normalized_damerau_levenshtein(&x, &y) < NEAR,
                        "{x} {y}"
                    );
                }
            }
        }
    }
}
