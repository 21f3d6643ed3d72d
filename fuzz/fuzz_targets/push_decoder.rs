#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| daibantong_fuzz::push_decoder(data));
