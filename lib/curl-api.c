/* curl-api.c - libcurl through dlopen(3); see curl-api.h */
#include "curl-api.h"

#include <dlfcn.h>
#include <stdio.h>

const struct curl_api *
curl_api(const char **why)
{
	static struct curl_api	 api;
	static int		 state;		/* 0 not tried, 1 loaded, -1 failed */
	static char		 err[256];
	void			*h;

	if (state == 0) {
		state = -1;
		if ((h = dlopen("libcurl.so.4", RTLD_LAZY | RTLD_LOCAL)) == NULL)
			snprintf(err, sizeof err, "%s", dlerror());
		else if ((*(void **)&api.easy_init = dlsym(h, "curl_easy_init")) == NULL ||
		    (*(void **)&api.easy_setopt = dlsym(h, "curl_easy_setopt")) == NULL ||
		    (*(void **)&api.easy_perform = dlsym(h, "curl_easy_perform")) == NULL ||
		    (*(void **)&api.easy_getinfo = dlsym(h, "curl_easy_getinfo")) == NULL ||
		    (*(void **)&api.easy_cleanup = dlsym(h, "curl_easy_cleanup")) == NULL ||
		    (*(void **)&api.easy_reset = dlsym(h, "curl_easy_reset")) == NULL ||
		    (*(void **)&api.easy_strerror = dlsym(h, "curl_easy_strerror")) == NULL ||
		    (*(void **)&api.slist_append = dlsym(h, "curl_slist_append")) == NULL ||
		    (*(void **)&api.slist_free_all = dlsym(h, "curl_slist_free_all")) == NULL)
			snprintf(err, sizeof err, "libcurl lacks a function");
		else
			state = 1;
	}
	*why = err;
	return state == 1 ? &api : NULL;
}

