vcl 4.1;

# Varnish in front of Credence's gunicorn (bench/proxy.py fills in BACKEND_PORT).
# Pages are kept for their s-maxage; Credence purges them by tag when records change:
# `PURGE /` with the tags, space-separated, in `xkey-purge` bans every cached page whose
# Cache-Tag header (the same tags, comma-separated) names one of them: stock Varnish, no
# xkey module needed. (The ban's regular expression can hold neither a space nor quotes,
# hence the commas.)

backend django {
    .host = "127.0.0.1";
    .port = "BACKEND_PORT";
}

acl purgers {
    "127.0.0.1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers || !req.http.xkey-purge) {
            return (synth(405, "Not allowed"));
        }
        # Tags are letters, digits and . # = - _ : a "." matching any character only
        # widens a purge.
        ban("obj.http.Cache-Tag ~ (^|,)(" +
            regsuball(req.http.xkey-purge, " +", "|") + ")(,|$)");
        return (synth(200, "Purged"));
    }
    # Signed-in users and the admin go straight through.
    if (req.http.Cookie ~ "sessionid" || req.url ~ "^/admin/") {
        return (pass);
    }
    unset req.http.Cookie;
}
