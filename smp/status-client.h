/*
 * status-client.h - a computer's runs reported to its site (POST
 * /v1/events, proto.h) without ever holding a run up.
 *
 * Each event is appended to a spool in the state folder (DIR/spool, one
 * wire line an event; DIR/seq, the next sequence number and how many of
 * the spool's first lines the SMP has acknowledged already); a thread of
 * its own, with an SMP client of its own, sends what the spool holds
 * every STATUS_INTERVAL_MS or as soon as STATUS_BATCH events wait, and
 * forgets what the SMP acknowledged.  An SMP that cannot be reached is
 * tried again later, backing off to a minute; the events wait in the
 * spool, which holds at most STATUS_SPOOL_EVENTS events and
 * STATUS_SPOOL_BYTES bytes: past that the oldest go, and a "dropped"
 * event takes their place.  Closing tries a last flush for a few seconds;
 * what is left stays in the spool for the next run on this computer.
 *
 * The sender never writes to the console or the run log: what it has to
 * say waits for the run's own thread (status_client_note).
 */
#ifndef TSI_STATUS_CLIENT_H
#define TSI_STATUS_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"
#include "smp-client.h"

#define STATUS_INTERVAL_MS	2000
#define STATUS_BATCH		100
#define STATUS_SPOOL_EVENTS	10000
#define STATUS_SPOOL_BYTES	(4 * 1024 * 1024)
#define STATUS_FLUSH_MS		3000	/* the last flush, at most */

struct status_client;

/* Opens the spool in dir (made 0700; what an earlier run left is sent
 * first) and starts the sender for the SMP at url, signing with o's
 * identity and pinning o's certificate (o's note, stop and pool are not
 * used).  0, or -1 with *err when the spool cannot be used.  A sender
 * that cannot be started (no identity, say) is a note: the events are
 * spooled all the same. */
int	status_client_open(struct status_client **, const char *dir, const char *url,
	    const struct smp_client_opts *o, char **err);
/* Spools e: its seq is the spool's next, its time now when 0. */
void	status_client_add(struct status_client *, struct smp_event *e);
/* The next line the sender has for the run log (caller frees), or NULL. */
char	*status_client_note(struct status_client *);
/* Sends what it can for at most ms, stops the sender and closes the
 * spool: how many events stay in it; *dropped, how many this process had
 * no room for.  Notes left are still read with status_client_note; then
 * status_client_free. */
size_t	status_client_close(struct status_client *, int64_t ms, size_t *dropped);
void	status_client_free(struct status_client *);

#endif
