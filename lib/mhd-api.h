/*
 * mhd-api.h - libmicrohttpd, loaded when `tsi smp serve` starts: linked
 * in, it and GnuTLS with its libraries cost every tsi start some 5 ms,
 * for the one command that serves.  (curl-api.h does the same for
 * libcurl.)
 */
#ifndef TSI_MHD_API_H
#define TSI_MHD_API_H

#include <microhttpd.h>

struct mhd_api {
	struct MHD_Daemon	*(*start_daemon)(unsigned int, uint16_t, MHD_AcceptPolicyCallback,
				    void *, MHD_AccessHandlerCallback, void *, ...);
	void			 (*stop_daemon)(struct MHD_Daemon *);
	const union MHD_DaemonInfo *(*get_daemon_info)(struct MHD_Daemon *,
				    enum MHD_DaemonInfoType, ...);
	const union MHD_ConnectionInfo *(*get_connection_info)(struct MHD_Connection *,
				    enum MHD_ConnectionInfoType, ...);
	const char		*(*lookup_connection_value)(struct MHD_Connection *,
				    enum MHD_ValueKind, const char *);
	struct MHD_Response	*(*create_response_from_buffer)(size_t, void *,
				    enum MHD_ResponseMemoryMode);
	struct MHD_Response	*(*create_response_from_fd_at_offset64)(uint64_t, int,
				    uint64_t);
	enum MHD_Result		 (*add_response_header)(struct MHD_Response *, const char *,
				    const char *);
	enum MHD_Result		 (*queue_response)(struct MHD_Connection *, unsigned int,
				    struct MHD_Response *);
	void			 (*destroy_response)(struct MHD_Response *);
};

/* The loaded functions, or NULL with *why (static text). */
const struct mhd_api	*mhd_api(const char **why);

#endif
