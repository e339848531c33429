#!/bin/sh
# bench/gen-profiles.sh - a system root with three users' home folders, for
# the user-state benchmark (bench/state.sh).
#
#   sh bench/gen-profiles.sh OUTDIR [TOTAL_MB]      (TOTAL_MB default 600)
#
# Writes OUTDIR/etc/passwd and OUTDIR/etc/group (alice, bob and carol, uid
# and gid 1001-1003, homes /home/NAME, shell /bin/bash; root and nobody too,
# as on a real system) and OUTDIR/home/{alice,bob,carol}.  The homes hold
# about TOTAL_MB in all (alice 38%, bob 33%, carol 28%), split like a real
# profile:
#   45%  media, incompressible (random bytes from /dev/urandom), 1-20 MB a
#        file: Pictures/**/IMG_0001.jpg, Music/Artist/Album/NN Title.mp3,
#        Videos/VID_*.mp4, Downloads/*.{zip,pdf,tar.gz}
#   40%  text, 1 KB - 2 MB a file, compressible like real text (zstd -3
#        makes about a third of it): Documents/**/*.{txt,md,csv} and source
#        trees in Projects/ (note: ~/Projects is in no default rule pack)
#   15%  settings, thousands of files of 100 B - 20 KB: dotfiles, .ssh/,
#        .gnupg/, .config/*, .local/share/*, a Firefox profile
#        (.mozilla/firefox/*.default-release), VS Code (.vscode/extensions,
#        .config/Code/User), neovim plugins
# and, on top of that, junk the rules exclude: ~/.cache (a few MB) and
# ~/.local/share/Trash, lock files, Firefox crash reports.
#
# The structure (every name and size) is the same on every run with the same
# TOTAL_MB, awk and word list; the text is too; the media bytes are random.
# The words come from /usr/share/dict/words when it is there, else from a
# built-in list.  Run as root, the homes are chowned to their users.
# OUTDIR must not exist, be empty, or be an earlier output of this script
# (which is then replaced).  Needs sh, awk, head, sort, xargs: no python.
set -eu

usage() {
	echo "usage: sh bench/gen-profiles.sh OUTDIR [TOTAL_MB]" >&2
	exit 2
}
[ $# -ge 1 ] && [ $# -le 2 ] || usage
OUT=$1
TOTAL_MB=${2:-600}
case $TOTAL_MB in '' | *[!0-9]*) usage ;; esac
[ "$TOTAL_MB" -ge 10 ] || { echo "gen-profiles: TOTAL_MB must be at least 10" >&2; exit 2; }

MARK=.gen-profiles
OLD=
if [ -e "$OUT" ]; then
	if [ -e "$OUT/$MARK" ]; then
		# Deleted last: writing right after freeing 35,000 files is up to
		# three times slower on some file systems (ext4 with discard).
		OLD=$OUT.old.$$
		mv "$OUT" "$OLD"
	elif [ -n "$(ls -A "$OUT")" ]; then
		echo "gen-profiles: $OUT exists and is not an earlier output; not touching it" >&2
		exit 2
	fi
fi
mkdir -p "$OUT/etc" "$OUT/home"
echo "TOTAL_MB=$TOTAL_MB" >"$OUT/$MARK"

cat >"$OUT/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
alice:x:1001:1001:Alice Archer,,,:/home/alice:/bin/bash
bob:x:1002:1002:Bob Brown,,,:/home/bob:/bin/bash
carol:x:1003:1003:Carol Chen,,,:/home/carol:/bin/bash
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
EOF
cat >"$OUT/etc/group" <<'EOF'
root:x:0:
daemon:x:1:
sudo:x:27:alice
users:x:100:alice,bob,carol
alice:x:1001:
bob:x:1002:
carol:x:1003:
nogroup:x:65534:
EOF

TMP=$(mktemp -d "${TMPDIR:-/tmp}/gen-profiles.XXXXXX")
trap 'rm -rf "$TMP"' EXIT INT TERM
DICT=/usr/share/dict/words
[ -r "$DICT" ] || DICT=

# --- awk: the vocabulary and the word helpers, shared by planner and writer ---

cat >"$TMP/words.awk" <<'EOF'
function rnd(n) { return int(rand() * n) }			# 0 .. n-1
function between(a, b) { return a + rnd(b - a + 1) }
function logu(a, b) { return int(a * exp(rand() * log(b / a))) }	# log-uniform
function word() {		# Zipf-like: a few words often, most rarely
	if (rand() < 0.42)
		return core[1 + int(ncore * rand() * rand())]
	return voc[1 + int(nv * rand() * rand() * rand())]
}
function phrase() { return phr[1 + int(nph * rand() * rand())] }
function mkphrases(   i, j, k, s) {	# set phrases that recur, as in real text
	nph = 4000
	for (i = 1; i <= nph; i++) {
		k = 2 + rnd(3); s = word()
		for (j = 1; j < k; j++) s = s " " word()
		phr[i] = s
	}
}
function title(w) { return toupper(substr(w, 1, 1)) substr(w, 2) }
function ident(   s) {
	s = word()
	if (rand() < 0.6) s = s (rand() < 0.5 ? "_" : "") word()
	return s
}
function hex(n,   s, i) {
	s = ""
	for (i = 0; i < n; i++) s = s substr("0123456789abcdef", 1 + rnd(16), 1)
	return s
}
function b64(n,   s, i) {
	s = ""
	for (i = 0; i < n; i++) s = s substr(B64, 1 + rnd(64), 1)
	return s
}
function load_words(   w, n, i, j, t, ns, nend, k, syl, ends) {
	B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	ncore = split("the of and to a in is that for it as was with be by on not he i this are or his from at which but have an they you were her she there one all we their been has will more if no when what so can out up about into than them some could only other time new these two may then do first any my now such like our over man me even most made after also did many before must through back years where much your way well down should because each just those people how too little state good very make world still own see men work long get here between both life being under never day same another know while last might us great old year off come since against go came right used take three file data user system report project team meeting budget review plan change number value server client update release version build test error issue order account customer price market energy water house school family music picture travel health study design result process support service", core, " ")
	nv = 0
	if (dict != "") {
		while ((getline w < dict) > 0)
			if (w ~ /^[a-z][a-z]+$/ && length(w) <= 12) voc[++nv] = w
		close(dict)
	}
	if (nv < 2000) {		# no dictionary: pronounceable made-up words
		nv = 0
		ns = split("ba be bi bo bu ca ce ci co da de di do du fa fe fi fo ga ge go ha he hi ho ka ke ki ko la le li lo lu ma me mi mo mu na ne ni no pa pe pi po ra re ri ro ru sa se si so su ta te ti to tu va ve vi wa we wi ya yo za ze str pr tr bl gr ch sh th qu", syl, " ")
		nend = split("n s t r l d m ng nt st ck ment tion ing ed er ly", ends, " ")
		for (i = 1; i <= 8000; i++) {
			k = 1 + rnd(3); w = ""
			for (j = 0; j < k; j++) w = w syl[1 + rnd(ns)]
			if (rand() < 0.6) w = w ends[1 + rnd(nend)]
			voc[++nv] = w
		}
	}
	for (i = nv; i > 1; i--) {	# shuffle, so that common != early in the alphabet
		j = 1 + rnd(i); t = voc[i]; voc[i] = voc[j]; voc[j] = t
	}
	if (nv > 30000) nv = 30000
}
EOF

# --- awk: the plan: "kind<TAB>style<TAB>size<TAB>path" per file -------------
# kind r: random bytes (written by the shell), t: text in STYLE (by the writer).

cat >"$TMP/plan.awk" <<'EOF'
function emit(kind, style, size, path,   d, f, k) {
	if (size < 0) size = 0
	if (path in done) {		# the same name twice: "2-name", "3-name", ...
		d = path; f = path
		if (sub(/\/[^\/]*$/, "", d)) sub(/^.*\//, "", f); else d = "."
		k = 1
		do path = d "/" (++k) "-" f; while (path in done)
	}
	done[path] = 1
	printf "%s\t%s\t%d\t%s\n", kind, style, size, path
	return size
}
function fname(   s) {
	s = rnd(4)
	if (s == 0) return word() "-" word()
	if (s == 1) return word() "_" word() "_" word()
	if (s == 2) return title(word()) " " word() " " (2015 + rnd(9))
	return title(word()) title(word())
}
function pick_dir(list,   a, n) { n = split(list, a, "|"); return a[1 + rnd(n)] }
# random files of min..max bytes in DIRS until BUDGET is spent
function media(budget, dirs, what, min, max,   left, size, n, d, p) {
	left = budget
	while (left >= min) {
		size = between(min, max); if (size > left) size = left
		d = pick_dir(dirs); n++
		if (what == "jpg") p = d "/IMG_" sprintf("%04d", ++nimg) ".jpg"
		else if (what == "png") p = d "/Screenshot from 20" (18 + rnd(6)) sprintf("-%02d-%02d %02d-%02d-%02d", 1 + rnd(12), 1 + rnd(28), rnd(24), rnd(60), rnd(60)) ".png"
		else if (what == "mp4") p = d "/VID_20" (18 + rnd(6)) sprintf("%02d%02d_%06d", 1 + rnd(12), 1 + rnd(28), rnd(240000)) ".mp4"
		else if (what == "dl") p = d "/" word() "-" word() "-" rnd(5) "." rnd(20) "." rnd(10) (rand() < 0.4 ? ".tar.gz" : rand() < 0.5 ? ".zip" : ".pdf")
		left -= emit("r", "-", size, p)
	}
	return budget - left
}
function music(budget,   left, size, artist, album, t, n) {
	left = budget
	while (left >= MB) {
		artist = title(word()) (rand() < 0.5 ? " " title(word()) : "")
		album = title(word()) " " title(word())
		n = 8 + rnd(7)
		for (t = 1; t <= n && left >= MB; t++) {
			size = between(3 * MB, 10 * MB); if (size > left) size = left
			left -= emit("r", "-", size, "Music/" artist "/" album "/" sprintf("%02d ", t) title(word()) " " word() ".mp3")
		}
	}
}
# text files of min..max bytes (log-uniform) in DIRS until BUDGET is spent
function docs(budget, dirs, exts, min, max,   left, size, e, ne, x) {
	left = budget; ne = split(exts, e, "|")
	while (left >= min) {
		size = logu(min, max); if (size > left) size = left
		x = e[1 + rnd(ne)]
		left -= emit("t", x, size, pick_dir(dirs) "/" (x == "md" && rand() < 0.3 ? "Meeting notes 20" (18 + rnd(6)) sprintf("-%02d-%02d", 1 + rnd(12), 1 + rnd(28)) : fname()) "." x)
	}
}
function project(budget,   left, name, lang, exts, ext, dirs, size, n) {
	name = word() "-" word(); left = budget
	lang = rnd(6)
	if (lang == 0) { ext = "c"; dirs = "src|src|src/" word() "|include|tests" }
	else if (lang == 1) { ext = "py"; dirs = name "|" name "|" name "/" word() "|tests|scripts" }
	else if (lang == 2) { ext = "js"; dirs = "src|src/components|src/lib|test|scripts" }
	else if (lang == 3) { ext = "go"; dirs = "cmd/" name "|internal/" word() "|internal/" word() "|pkg/" word() }
	else if (lang == 4) { ext = "rs"; dirs = "src|src|src/" word() "|tests|benches" }
	else { ext = "sh"; dirs = "bin|lib|tests" }
	left -= emit("t", "md", logu(2000, 20000), "Projects/" name "/README.md")
	left -= emit("t", "conf", between(40, 400), "Projects/" name "/.gitignore")
	left -= emit("t", "prose", between(1000, 2000), "Projects/" name "/LICENSE")
	left -= emit("t", "code", logu(500, 4000), "Projects/" name "/" (lang == 0 ? "Makefile" : lang == 1 ? "setup.py" : lang == 2 ? "package.json" : lang == 3 ? "go.mod" : lang == 4 ? "Cargo.toml" : "install.sh"))
	while (left > 1000) {
		size = logu(1000, 64000); if (size > left) size = left
		left -= emit("t", "code", size, "Projects/" name "/" pick_dir(dirs) "/" ident() "." (lang == 0 && rand() < 0.3 ? "h" : ext))
		if (rand() < 0.05) left -= emit("t", "md", logu(1000, 30000), "Projects/" name "/docs/" word() ".md")
	}
	emit("t", "-", 0, "Projects/" name "/" word() ".lock")		# excluded junk
	return budget
}
function small() { return logu(100, 20000) }
function vscode_ext(   d, n, i, s) {
	d = ".vscode/extensions/" word() "." word() "-" rnd(3) "." rnd(40) "." rnd(12)
	s = emit("t", "json", small(), d "/package.json")
	s += emit("t", "json", logu(100, 3000), d "/package.nls.json")
	s += emit("t", "md", small(), d "/README.md")
	s += emit("t", "md", small(), d "/CHANGELOG.md")
	s += emit("t", "prose", between(1000, 1500), d "/LICENSE.txt")
	n = between(3, 30)
	for (i = 0; i < n; i++) s += emit("t", "code", small(), d "/out/" (rand() < 0.3 ? word() "/" : "") ident() ".js")
	if (rand() < 0.5) s += emit("t", "json", small(), d "/syntaxes/" word() ".tmLanguage.json")
	if (rand() < 0.5) s += emit("t", "json", small(), d "/snippets/" word() ".json")
	return s
}
function nvim_plugin(   d, n, i, s, p) {
	p = word(); d = ".local/share/nvim/site/pack/plugins/start/" p ".nvim"
	s = emit("t", "md", small(), d "/README.md")
	s += emit("t", "prose", small(), d "/doc/" p ".txt")
	s += emit("t", "code", logu(100, 2000), d "/plugin/" p ".vim")
	n = between(2, 20)
	for (i = 0; i < n; i++) s += emit("t", "code", small(), d "/lua/" p "/" ident() ".lua")
	return s
}
function ff_origin(   d, s) {
	d = FF "/storage/default/https+++" (rand() < 0.5 ? "www." : "") word() (rand() < 0.5 ? word() : "") (rand() < 0.7 ? ".com" : ".org")
	s = emit("t", "b64", between(100, 400), d "/.metadata-v2")
	if (rand() < 0.7) s += emit("t", "sqlite", small(), d "/ls/data.sqlite") + emit("t", "-", between(8, 20), d "/ls/usage")
	if (rand() < 0.4) s += emit("t", "sqlite", small(), d "/idb/" rnd(4000000000) word() ".sqlite")
	if (rand() < 0.2) s += emit("t", "b64", small(), d "/cache/morgue/" rnd(300) "/{" hex(8) "-" hex(4) "-" hex(4) "-" hex(4) "-" hex(12) "}.final")
	return s
}
function config_app(   app, a, n, i, s, st, ext) {
	app = APPS[1 + rnd(NAPPS)]
	if (app in seen) app = app "/" word()
	seen[app] = 1
	n = between(1, 14)
	for (i = 0; i < n; i++) {
		st = rnd(4)
		ext = st == 0 ? "conf" : st == 1 ? "json" : st == 2 ? "xml" : "ini"
		s += emit("t", ext == "ini" ? "conf" : ext, small(), ".config/" app "/" (rand() < 0.3 ? word() "/" : "") ident() "." ext)
	}
	return s
}
function desktop_files(   n, i, s) {
	n = between(2, 8)
	for (i = 0; i < n; i++) s += emit("t", "desktop", between(200, 3000), ".local/share/applications/" word() "-" word() ".desktop")
	return s
}
BEGIN {
	srand(1); load_words()
	srand(seed)
	MB = 1048576; B = B + 0
	FF = ".mozilla/firefox/" hex(8) ".default-release"
	NAPPS = split("libreoffice/4/user|xfce4/xfconf/xfce-perchannel-xml|gtk-3.0|gtk-4.0|pulse|htop|Slack|discord|Thunar|evince|geany|keepassxc|transmission|vlc|mpv|GIMP/2.10|inkscape|obs-studio|remmina|filezilla|fish|nvim|xfce4/panel|autostart|fontconfig|gnome-session|kdeconnect|Code/User|Code/User/snippets|Code/User/globalStorage|Signal|zoomus|syncthing|rclone|qt5ct|Kvantum|dunst|i3|alacritty", APPS, "|")

	# media, 45%
	m = B * 0.45
	media(m * 0.30, "Pictures|Pictures/Camera/2022|Pictures/Camera/2023|Pictures/" title(word()) " 2023|Pictures/Phone", "jpg", MB, 6 * MB)
	media(m * 0.04, "Pictures/Screenshots", "png", MB, 3 * MB)
	music(m * 0.25)
	media(m * 0.27, "Videos|Videos/" title(word()), "mp4", 10 * MB, 20 * MB)
	media(m * 0.14, "Downloads", "dl", MB, 15 * MB)

	# text, 40%
	t = B * 0.40
	docs(t * 0.38, "Documents|Documents/Work|Documents/Personal|Documents/Notes|Documents/Letters|Documents/Reports/2022|Documents/Reports/2023|Documents/Thesis|Documents/Thesis/chapters|Documents/Recipes|Documents/Archive/old stuff|Desktop", "txt|txt|md", 1024, 2 * MB)
	docs(t * 0.22, "Documents/Spreadsheets|Documents/Work/data|Documents/Finance", "csv", 10240, 2 * MB)
	left = t * 0.40
	while (left > 4000) {
		size = between(3 * MB, 12 * MB); if (size > left) size = left
		left -= project(size)
	}
	emit("t", "-", 0, "Documents/Work/~$" word() ".docx")	# office owner file: excluded

	# settings, 15%
	s = B * 0.15
	s -= emit("t", "conf", between(3000, 4500), ".bashrc")
	s -= emit("t", "conf", between(600, 900), ".profile")
	s -= emit("t", "conf", 220, ".bash_logout")
	s -= emit("t", "hist", between(8000, 20000), ".bash_history")
	s -= emit("t", "conf", between(200, 600), ".gitconfig")
	s -= emit("t", "code", between(500, 4000), ".vimrc")
	s -= emit("t", "conf", between(100, 300), ".inputrc")
	s -= emit("t", "hosts", between(3000, 20000), ".ssh/known_hosts")
	s -= emit("t", "hosts", between(1000, 4000), ".ssh/known_hosts.old")
	s -= emit("t", "conf", between(200, 2000), ".ssh/config")
	s -= emit("t", "hosts", between(400, 1200), ".ssh/authorized_keys")
	s -= emit("t", "b64", 411, ".ssh/id_ed25519")
	s -= emit("t", "hosts", 100, ".ssh/id_ed25519.pub")
	s -= emit("r", "-", between(2000, 20000), ".gnupg/pubring.kbx")
	s -= emit("r", "-", 1280, ".gnupg/trustdb.gpg")
	s -= emit("r", "-", 600, ".gnupg/random_seed")
	s -= emit("t", "conf", between(300, 700), ".config/user-dirs.dirs")
	s -= emit("t", "conf", between(500, 3000), ".config/mimeapps.list")
	s -= emit("t", "xml", between(800, 3000), ".config/monitors.xml")
	s -= emit("r", "-", between(5000, 20000), ".config/dconf/user")
	s -= emit("t", "conf", between(100, 500), ".config/git/config")
	s -= emit("t", "b64", 100, ".config/git/credentials")
	s -= emit("t", "conf", between(100, 300), ".mozilla/firefox/profiles.ini")
	s -= emit("t", "conf", between(60, 120), ".mozilla/firefox/installs.ini")
	s -= emit("t", "prefs", between(12000, 20000), FF "/prefs.js")
	s -= emit("t", "prefs", between(200, 2000), FF "/user.js")
	s -= emit("t", "json", between(5000, 20000), FF "/extensions.json")
	s -= emit("t", "json", between(500, 2000), FF "/handlers.json")
	s -= emit("t", "json", between(200, 2000), FF "/xulstore.json")
	s -= emit("t", "json", between(500, 1500), FF "/containers.json")
	s -= emit("r", "-", between(5000, 20000), FF "/search.json.mozlz4")
	s -= emit("r", "-", between(10000, 20000), FF "/sessionstore-backups/recovery.jsonlz4")
	s -= emit("r", "-", between(10000, 20000), FF "/sessionstore-backups/recovery.baklz4")
	s -= emit("t", "sqlite", 20000, FF "/places.sqlite")
	s -= emit("t", "sqlite", 20000, FF "/favicons.sqlite")
	s -= emit("t", "sqlite", 20000, FF "/cookies.sqlite")
	s -= emit("t", "sqlite", between(5000, 20000), FF "/formhistory.sqlite")
	s -= emit("r", "-", between(8000, 20000), FF "/extensions/uBlock0@raymondhill.net.xpi")
	s -= emit("t", "-", 0, FF "/.parentlock")				# excluded
	s -= emit("t", "json", between(2000, 8000), FF "/crashes/store.json.mozlz4")	# excluded
	s -= emit("t", "json", between(200, 1500), ".config/Code/User/settings.json")
	s -= emit("t", "json", between(100, 800), ".config/Code/User/keybindings.json")
	s -= emit("t", "json", between(100, 500), ".config/Code/User/workspaceStorage/" hex(32) "/workspace.json")	# excluded
	s -= emit("t", "b64", between(100, 400), ".local/share/keyrings/login.keyring")
	s -= emit("t", "xml", between(2000, 20000), ".local/share/recently-used.xbel")
	while (s > 0) {
		g = rnd(10)
		if (g < 3) s -= vscode_ext()
		else if (g < 5) s -= nvim_plugin()
		else if (g < 7) s -= ff_origin()
		else if (g < 9) s -= config_app()
		else s -= desktop_files()
	}

	# junk the rules exclude, on top
	j = B * 0.015; if (j < 2 * MB) j = 2 * MB
	while (j > 0) j -= emit("r", "-", logu(2000, 300000), ".cache/mozilla/firefox/" substr(FF, 18) "/cache2/entries/" toupper(hex(40)))
	j = B * 0.004
	while (j > 0) j -= emit("r", "-", logu(5000, 80000), ".cache/thumbnails/large/" hex(32) ".png")
	j = B * 0.003
	while (j > 0) j -= emit("t", "code", logu(1000, 50000), ".cache/pip/http/" hex(1) "/" hex(1) "/" hex(40))
	j = B * 0.005; if (j < MB) j = MB
	while (j > 0) {
		n = fname()
		j -= emit("t", "prose", logu(1000, 200000), ".local/share/Trash/files/" n ".txt")
		emit("t", "conf", 80, ".local/share/Trash/info/" n ".txt.trashinfo")
	}
}
EOF

# --- awk: the writer of text files --------------------------------------------

cat >"$TMP/write.awk" <<'EOF'
function sentence(   n, s, j, r) {
	n = 4 + rnd(14); s = title(word())
	for (j = 1; j < n; j++) {
		r = rand()
		s = s " " (r < 0.03 ? rnd(2000) : r < 0.3 ? phrase() : word())
		if (rand() < 0.06) s = s ","
	}
	return s (rand() < 0.92 ? "." : "?")
}
function prose_line(   n, s, j) {
	if (rand() < 0.15) return ""
	n = 1 + rnd(4); s = sentence()
	for (j = 1; j < n; j++) s = s " " sentence()
	return s
}
function md_line(   r) {
	r = rand()
	if (r < 0.06) return substr("####", 1, 1 + rnd(3)) " " title(word()) " " word() " " word()
	if (r < 0.25) return "- " sentence()
	if (r < 0.28) return "    " ident() "(" ident() ", " rnd(100) ")"
	return prose_line()
}
function csv_line(   s, j, t) {
	if (ln == 1) {		# id, date, then columns of a kind each
		ncol = 4 + rnd(7); s = "id,date"; day = rnd(3000)
		for (j = 2; j < ncol; j++) {
			coltype[j] = rnd(5); s = s "," word()
			for (t = 1; t <= 8; t++) cat[j, t] = title(word())
		}
		return s
	}
	if (rand() < 0.3) day++
	s = (ln - 1) "," 2015 + int(day / 336) sprintf("-%02d-%02d", 1 + int(day % 336 / 28), 1 + day % 28)
	for (j = 2; j < ncol; j++) {
		t = coltype[j]
		if (t == 0) s = s "," cat[j, 1 + int(8 * rand() * rand())]
		else if (t == 1) s = s "," rnd(100000) / 100
		else if (t == 2) s = s "," rnd(50)
		else if (t == 3) s = s ",\"" title(word()) " " title(word()) "\""
		else s = s "," (rand() < 0.7 ? "yes" : "no")
	}
	return s
}
function code_line(   r, ind, s) {
	r = rand(); ind = substr("                        ", 1, 4 * depth)
	if (depth == 0) {
		if (r < 0.3) return ""
		if (r < 0.45) return "/* " sentence() " */"
		if (r < 0.55) return "#include <" word() ".h>"
		depth = 1
		return "static int " ident() "(struct " word() " *" word() ", size_t " word() ") {"
	}
	if (r < 0.08 && depth < 5) { depth++; return ind "if (" ident() " " (rand() < 0.5 ? "==" : "<") " " rnd(256) ") {" }
	if (r < 0.14 && depth < 5) { depth++; return ind "for (i = 0; i < " ident() "->" word() "; i++) {" }
	if (r < 0.26) { depth--; return substr(ind, 5) "}" }
	if (r < 0.33) return ind "// " sentence()
	if (r < 0.38) return ind "return " ident() ";"
	if (r < 0.45) return ind "printf(\"" sentence() "\\n\", " ident() ");"
	if (r < 0.70) return ind ident() " = " ident() "(" ident() ", " word() ", " rnd(1000) ");"
	if (r < 0.85) return ind ident() "->" word() " = " ident() " + " rnd(64) ";"
	return ind "int " ident() " = " rnd(4096) ";"
}
function json_line(   r, ind) {
	if (ln == 1) { depth = 1; return "{" }
	r = rand(); ind = substr("                    ", 1, 2 * depth)
	if (r < 0.08 && depth < 6) { depth++; return ind "\"" ident() "\": {" }
	if (r < 0.16 && depth > 1) { depth--; return substr(ind, 3) "}," }
	if (r < 0.55) return ind "\"" ident() "\": \"" word() " " word() (rand() < 0.5 ? " " word() : "") "\","
	if (r < 0.75) return ind "\"" word() "." ident() "\": " rnd(100000) ","
	if (r < 0.85) return ind "\"" ident() "\": " (rand() < 0.5 ? "true" : "false") ","
	return ind "\"" word() "\": \"https://" word() ".com/" word() "/" hex(8) "\","
}
function xml_line(   r) {
	if (ln == 1) return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
	r = rand()
	if (r < 0.1) return "  <channel name=\"" ident() "\" version=\"1.0\">"
	if (r < 0.2) return "  </channel>"
	if (r < 0.6) return "    <property name=\"" ident() "\" type=\"string\" value=\"" word() " " word() "\"/>"
	if (r < 0.8) return "    <property name=\"" ident() "\" type=\"int\" value=\"" rnd(10000) "\"/>"
	return "    <bookmark href=\"file:///home/" user "/" title(word()) "/" word() ".txt\" added=\"20" (18 + rnd(6)) "-0" (1 + rnd(9)) "-1" rnd(10) "T" rnd(24) ":" rnd(60) ":00Z\"/>"
}
function conf_line(   r) {
	r = rand()
	if (r < 0.10) return "[" title(word()) (rand() < 0.3 ? " " word() : "") "]"
	if (r < 0.20) return "# " sentence()
	if (r < 0.25) return ""
	if (r < 0.55) return ident() "=" word() (rand() < 0.5 ? " " word() : "")
	if (r < 0.75) return ident() "=" rnd(5000)
	if (r < 0.85) return "alias " word() "='" word() " -" substr("alrhtvn", 1 + rnd(7), 1 + rnd(2)) "'"
	return "export " toupper(ident()) "=\"$HOME/." word() "/" word() "\""
}
function prefs_line(   r) {
	r = rand()
	if (r < 0.4) return "user_pref(\"" word() "." ident() "." word() "\", " (rand() < 0.5 ? "true" : "false") ");"
	if (r < 0.7) return "user_pref(\"" word() "." ident() "." word() "\", " rnd(2000000000) ");"
	return "user_pref(\"" word() "." ident() "\", \"" word() " " hex(rnd(3) * 8) "\");"
}
function hosts_line(   r) {
	r = rand()
	if (r < 0.5) return word() "." word() ".com," rnd(256) "." rnd(256) "." rnd(256) "." rnd(256) " ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI" b64(43)
	if (r < 0.8) return "|1|" b64(27) "=|" b64(27) "= ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBB" b64(88) "="
	return word() ".example.org ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQ" b64(510) "="
}
function hist_line(   r) {
	r = rand()
	if (r < 0.2) return "cd ~/Projects/" word() "-" word()
	if (r < 0.35) return "git " (rand() < 0.5 ? "status" : rand() < 0.5 ? "pull" : "commit -m \"" sentence() "\"")
	if (r < 0.5) return "ls -la " word()
	if (r < 0.6) return "vim " ident() "." (rand() < 0.5 ? "c" : "py")
	if (r < 0.7) return "ssh " word() "." word() ".com"
	if (r < 0.8) return "sudo apt install " word() "-" word()
	return "grep -rn " ident() " " word() "/"
}
function sqlite_line(   r) {
	if (ln == 1) return "SQLite format 3"
	r = rand()
	if (r < 0.1) return "CREATE TABLE moz_" word() " (id INTEGER PRIMARY KEY, " word() " TEXT, " word() " INTEGER)"
	if (r < 0.6) return rnd(100000) "|https://www." word() ".com/" word() "/" word() "?" word() "=" hex(6) "|" sentence() "|16" rnd(100000000)
	return rnd(100000) "|" word() "|" hex(16) "|" b64(22) "|16" rnd(100000000)
}
function desktop_line(   r) {
	if (ln == 1) return "[Desktop Entry]"
	r = rand()
	if (r < 0.2) return "Name=" title(word()) " " title(word())
	if (r < 0.4) return "Exec=/usr/bin/" word() " %U"
	if (r < 0.5) return "Type=Application"
	if (r < 0.6) return "Icon=" word()
	if (r < 0.75) return "Comment[" substr("dejafrites", 1 + 2 * rnd(5), 2) "]=" sentence()
	return "Categories=" title(word()) ";" title(word()) ";"
}
function line(style) {
	ln++
	if (style == "prose") return prose_line()
	if (style == "md") return md_line()
	if (style == "txt") return prose_line()
	if (style == "csv") return csv_line()
	if (style == "code") return code_line()
	if (style == "json") return json_line()
	if (style == "xml") return xml_line()
	if (style == "conf") return conf_line()
	if (style == "prefs") return prefs_line()
	if (style == "hosts") return hosts_line()
	if (style == "hist") return hist_line()
	if (style == "sqlite") return sqlite_line()
	if (style == "desktop") return desktop_line()
	if (style == "b64") return b64(64)
	return prose_line()
}
BEGIN { FS = "\t"; srand(1); load_words(); mkphrases(); srand(seed) }
$1 == "t" {
	path = home "/" $4; size = $3 + 0; out = 0; ln = 0; depth = 0
	printf "" >path
	while (out < size) {
		l = line($2)
		n = length(l) + 1
		if (out + n > size) { l = substr(l, 1, size - out - 1); n = size - out }
		print l >path
		out += n
	}
	close(path)
}
EOF

# --- per user: plan, directories, text (awk) and random files (head -c) ------

START=$(date +%s)
TOTAL_B=$((TOTAL_MB * 1048576))
gen_user() {	# NAME UID SHARE_PERCENT SEED
	name=$1 uid=$2 share=$3 seed=$4
	home=$OUT/home/$name
	mkdir -p "$home"
	awk -v dict="$DICT" -v seed="$seed" -v B=$((TOTAL_B * share / 100)) \
	    -f "$TMP/words.awk" -f "$TMP/plan.awk" >"$TMP/$name.plan"
	awk -F '\t' -v home="$home" '{
		p = $4; sub(/\/[^\/]*$/, "", p)
		if ($4 ~ /\//) print home "/" p
	}' "$TMP/$name.plan" | sort -u | tr '\n' '\0' | xargs -0 mkdir -p
	awk -v dict="$DICT" -v seed="$seed" -v home="$home" -v user="$name" \
	    -f "$TMP/words.awk" -f "$TMP/write.awk" "$TMP/$name.plan" &
	grep '^r	' "$TMP/$name.plan" | while IFS='	' read -r _kind _style size path; do
		head -c "$size" /dev/urandom >"$home/$path"
	done
	wait
	mkdir -p "$home/Templates" "$home/Public" "$home/.local/share/Trash/expunged"
	ln -s "$(sed -n 's/^t	code	[0-9]*	Projects\/\([^/]*\)\/.*/\1/p' "$TMP/$name.plan" | head -n 1)" "$home/Projects/current"
	chmod 700 "$home" "$home/.ssh" "$home/.gnupg"
	chmod 600 "$home/.ssh/id_ed25519" "$home/.gnupg/random_seed"
	if [ "$(id -u)" = 0 ]; then
		chown -hR "$uid:$uid" "$home"
	fi
}
gen_user alice 1001 38 101 &
gen_user bob 1002 33 102 &
gen_user carol 1003 28 103 &
wait
# a failed user leaves an incomplete tree: check the plan against the result
for u in alice bob carol; do
	want=$(wc -l <"$TMP/$u.plan")
	got=$(find "$OUT/home/$u" -type f | wc -l)
	[ "$got" -ge "$want" ] || {
		echo "gen-profiles: $u has $got files, wanted $want" >&2
		exit 1
	}
done
[ -z "$OLD" ] || rm -rf "$OLD"
files=$(find "$OUT/home" -type f | wc -l)
echo "gen-profiles: $OUT: $files files, $(du -sm "$OUT/home" | cut -f1) MB" \
    "in $(($(date +%s) - START)) s"
