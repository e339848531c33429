=== args
validate bad-rules.yaml
=== file bad-rules.yaml
name: bad
components:
  - name: Broken
    include: ["Documents/**", "~/a/**b", "~/x/[abc", "~/../etc/**"]
    exclud: ["~/x"]
  - name: Excludes only
    exclude: ["~/y/**"]
unconditional_exclude: ["~/***"]
=== rc
1
=== stderr-contains
bad-rules.yaml:4:15: error: pattern 'Documents/**' does not start with '~/' (patterns are relative to each user's home)
bad-rules.yaml:4:31: error: bad pattern '~/a/**b': '**' stands alone between slashes ('a/**/b')
bad-rules.yaml:4:42: error: bad pattern '~/x/[abc': '[' starts a class that has no ']'
bad-rules.yaml:4:54: error: bad pattern '~/../etc/**': a pattern cannot leave the home folder ('..')
bad-rules.yaml:5:5: error: unknown key 'exclud' in a component (did you mean 'exclude'?)
bad-rules.yaml:6:11: warning: component 'Excludes only' includes nothing, so its excludes do nothing
bad-rules.yaml:8:25: error: bad pattern '~/***': '***' means nothing; use '**' for any folders
tsi: 6 errors, 1 warning in 1 file
