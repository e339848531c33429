=== args
identity show --dir id
=== setup
mkdir -p id && chmod 700 id && printf 'tsi-identity-key-v1\nname x\nx25519 AAAA\n' > id/identity.key && chmod 644 id/identity.key
=== rc
2
=== stderr
tsi: error: refusing 'id/identity.key': a private key file must be 0600
