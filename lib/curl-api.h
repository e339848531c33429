/*
 * curl-api.h - libcurl, loaded on first use (tsi.http, the SMP client):
 * linked in, it and the libraries it pulls in cost every tsi start some
 * 6 ms, for features few runs use.
 */
#ifndef TSI_CURL_API_H
#define TSI_CURL_API_H

#include <curl/curl.h>

struct curl_api {
	CURL			*(*easy_init)(void);
	CURLcode		 (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode		 (*easy_perform)(CURL *);
	CURLcode		 (*easy_getinfo)(CURL *, CURLINFO, ...);
	void			 (*easy_cleanup)(CURL *);
	void			 (*easy_reset)(CURL *);
	const char		*(*easy_strerror)(CURLcode);
	struct curl_slist	*(*slist_append)(struct curl_slist *, const char *);
	void			 (*slist_free_all)(struct curl_slist *);
};

/* The loaded functions, or NULL with *why (static text). */
const struct curl_api	*curl_api(const char **why);

#endif
