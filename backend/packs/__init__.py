"""Industry packs: data files (one YAML per industry) describing a ready-made catalogue,
message templates, FAQ, phone script and agent vocabulary; `apply_pack` copies one into a
tenant, which edits its own copy afterwards."""
