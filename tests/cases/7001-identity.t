=== args
identity show --dir id
=== setup
"$TSI" identity init --dir id --name pc-01 > init.out
"$TSI" identity init --dir id --name pc-02 > again.out 2> again.err || echo $? > again.rc
=== stdout-contains
tsi-identity-v1 pc-01 x25519:
=== check
test "$(stat -c %a id)" = 700
test "$(stat -c %a id/identity.key)" = 600
test "$(wc -l < id/identity.pub)" = 1
grep -q "made the identity in 'id'" init.out
test "$(cat again.rc)" = 2
grep -q "an identity already exists in 'id'" again.err
! grep -q x25519 id/identity.key.tmp 2>/dev/null
