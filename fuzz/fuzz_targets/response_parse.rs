//! The send client's reading of Pinterest's answers: any status and body settle every event
//! of the request or mean retry, split or stop; never a panic, never a wrong count.
#![no_main]

use pinconv::send::deliver::parse_response;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    // Mostly the statuses that have meaning, sometimes any.
    const STATUSES: [u16; 12] = [200, 200, 422, 422, 400, 401, 403, 413, 429, 500, 503, 404];
    let status = match data[0] {
        b if usize::from(b) < STATUSES.len() * 16 => STATUSES[usize::from(b) % STATUSES.len()],
        b => u16::from(b) * 4 + u16::from(data[1] % 4),
    };
    let n = usize::from(data[2] % 16) + 1;
    if let Some(outcomes) = parse_response(status, &data[3..], n) {
        assert_eq!(outcomes.len(), n);
    }
});
