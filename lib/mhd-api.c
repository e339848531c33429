/* mhd-api.c - libmicrohttpd through dlopen(3); see mhd-api.h */
#include "mhd-api.h"

#include <dlfcn.h>
#include <stdio.h>

#define LOAD(field, name) \
	((*(void **)&api.field = dlsym(h, name)) != NULL)

const struct mhd_api *
mhd_api(const char **why)
{
	static struct mhd_api	 api;
	static int		 state;		/* 0 not tried, 1 loaded, -1 failed */
	static char		 err[256];
	void			*h;

	if (state == 0) {
		state = -1;
		if ((h = dlopen("libmicrohttpd.so.12", RTLD_LAZY | RTLD_LOCAL)) == NULL)
			snprintf(err, sizeof err, "%s", dlerror());
		else if (!LOAD(start_daemon, "MHD_start_daemon") ||
		    !LOAD(stop_daemon, "MHD_stop_daemon") ||
		    !LOAD(get_daemon_info, "MHD_get_daemon_info") ||
		    !LOAD(get_connection_info, "MHD_get_connection_info") ||
		    !LOAD(lookup_connection_value, "MHD_lookup_connection_value") ||
		    !LOAD(create_response_from_buffer, "MHD_create_response_from_buffer") ||
		    !LOAD(create_response_from_fd_at_offset64,
		    "MHD_create_response_from_fd_at_offset64") ||
		    !LOAD(add_response_header, "MHD_add_response_header") ||
		    !LOAD(queue_response, "MHD_queue_response") ||
		    !LOAD(destroy_response, "MHD_destroy_response"))
			snprintf(err, sizeof err, "libmicrohttpd lacks a function");
		else
			state = 1;
	}
	*why = err;
	return state == 1 ? &api : NULL;
}
