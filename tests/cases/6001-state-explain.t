=== args
state explain --root sysroot /home/alice/Documents/sub/draft.tmp --rules documents
=== setup
mkdir -p sysroot/etc sysroot/home/alice/Documents/sub
printf 'root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000:Alice:/home/alice:/bin/bash\n' > sysroot/etc/passwd
=== stdout
/home/alice/Documents/sub/draft.tmp (user 'alice', ~/Documents/sub/draft.tmp): not captured by exclude '~/Documents/**/*.tmp' (component 'Documents', pack 'documents', $TOP/rules/documents.yaml:7; specificity 9/4)
  also matches include '~/Documents/**' (component 'Documents', pack 'documents', $TOP/rules/documents.yaml:6; specificity 9/0)
