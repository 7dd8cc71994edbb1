//! Training uploads for custom models: apiary logs from a seeded grammar (a domain the embedded
//! models have never read) and the multipart body of `POST /v1/custom-models`.

/// Apiary logs from a seeded grammar: deterministic, distinctive, unlike anything in the corpora.
pub fn apiary(seed: u64, documents: usize) -> Vec<String> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut pick = |options: &[&'static str]| {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        options[((x >> 33) as usize) % options.len()]
    };
    (0..documents)
        .map(|_| {
            let mut doc = String::new();
            for _ in 0..4 {
                doc.push_str(&format!(
                    "Hive {} of the {} yard: the {} colony shows {} brood on frame {}, {} stores, and the queen is {}. ",
                    pick(&["Amber", "Borage", "Clover", "Dandelion", "Elder", "Foxglove"]),
                    pick(&["north", "orchard", "heather", "river", "chapel"]),
                    pick(&["carniolan", "buckfast", "italian", "caucasian"]),
                    pick(&["capped", "open", "patchy", "solid", "drone"]),
                    pick(&["two", "three", "four", "five", "seven"]),
                    pick(&["ample", "light", "heavy", "failing"]),
                    pick(&["marked green", "unmarked", "superseded", "laying well", "missing"]),
                ));
            }
            doc.push_str(pick(&[
                "Varroa drop counted on the board.",
                "Fed one litre of syrup.",
                "Added a super of drawn comb.",
                "Swarm cells removed.",
            ]));
            doc
        })
        .collect()
}

/// The content type and body of a multipart form with text `fields` and `files` (field, file name,
/// bytes).
pub fn multipart(fields: &[(&str, &str)], files: &[(&str, &str, Vec<u8>)]) -> (String, Vec<u8>) {
    let boundary = "likely-test-boundary-7e3f";
    let mut body: Vec<u8> = Vec::new();
    for (name, value) in fields {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .into_bytes(),
        );
    }
    for (name, file, bytes) in files {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .into_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").into_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}
