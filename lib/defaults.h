/*
 * defaults.h - the constants every floor shares, each defined once: the
 * version, the fixed places tsi uses on a computer, and the exit codes
 * (docs/cli.md documents both).  Constants only: no code, no includes.
 */
#ifndef TSI_DEFAULTS_H
#define TSI_DEFAULTS_H

#define TSI_VERSION		"0.1.0"

/* Places; the last two are under the --root of a run.  Shipped data (rule
 * packs, Lua steps) is found relative to the binary: lib/datadir.h. */
#define DEFAULT_STATE_DIR	"/var/lib/tsi"			/* journal, lock */
#define DEFAULT_LOG_DIR		"/var/log/tsi"			/* tsi.log, events, report */
#define DEFAULT_IDENTITY_DIR	DEFAULT_STATE_DIR "/identity"	/* this computer's keys */
#define RESTORE_STATE_DIR	DEFAULT_STATE_DIR "/restore"	/* undo records */
#define SITE_EXT_DIR		"/etc/tsi/steps"		/* the site's Lua steps */
#define DEFAULT_REBOOT_COMMAND	"systemctl reboot"

/* Exit codes of every command. */
#define EXIT_OK			0	/* succeeded */
#define EXIT_FAILED		1	/* failed, or damage found */
#define EXIT_USAGE		2	/* invalid input or usage: nothing ran */
#define EXIT_RESTART		3	/* stopped for a restart: `tsi resume` */
#define EXIT_FINDINGS		4	/* state capture/restore done, with findings */
#define EXIT_INTERRUPTED	130	/* stopped by a signal: journal kept */

#endif
