=== args
validate seq.yaml
=== sequence
name: USMT switches
variables:
  OSDMigrateAdditionalCaptureOptions: /ue:*\* /ui:CONTOSO\alice /c /v:5
  OSDMigrateAdditionalRestoreOptions: /lae /mu:old:new
steps:
  - name: Bad capture switches
    type: set_variable
    with: { name: OSDMigrateAdditionalCaptureOptions, value: "/nocompress /hardlink /p /listfiles:x" }
  - name: A restore switch on capture
    type: set_variable
    with: { name: OSDMigrateAdditionalCaptureOptions, value: "/lac" }
  - name: Known only at run time
    type: set_variable
    with: { name: OSDMigrateAdditionalRestoreOptions, value: "%Extra%" }
=== rc
1
=== stderr-contains
seq.yaml:4:3: error: variable 'OSDMigrateAdditionalRestoreOptions': '/lae' needs '/lac' (it enables the accounts /lac creates)
seq.yaml:8:62: error: variable 'OSDMigrateAdditionalCaptureOptions': '/listfiles' cannot be combined with '/p'
seq.yaml:11:62: error: variable 'OSDMigrateAdditionalCaptureOptions': '/lac' is a restore switch, not a capture one
tsi: 3 errors, 1 warning in 1 file
