package dev.huddle.server;

import dev.huddle.server.config.Setting;
import java.io.IOException;
import java.net.BindException;
import java.nio.channels.UnresolvedAddressException;
import java.util.Locale;

/**
 * Says why the server could not listen, and which setting to change. Javalin reports every bind failure
 * as "Port already in use", even for an address that does not resolve or is not this machine's; the
 * cause it wraps tells them apart.
 */
final class BindFailure {
    private BindFailure() {
    }

    /** A failure naming the cause, the setting and the fix; {@code e} itself when no bind problem is in its causes. */
    static RuntimeException explain(String host, int port, RuntimeException e) {
        return explain(host, port, Setting.PORT, e);
    }

    /**
     * The same for the port {@code portSetting} names ({@code --ws-port}: Netty reports a bind failure as its own
     * {@code IOException} whose message starts with "bind").
     */
    static RuntimeException explain(String host, int port, Setting portSetting, RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnresolvedAddressException) {
                return failure("cannot listen on " + host + ": it is neither an IP address nor a host name that resolves. "
                        + hostFix(), e);
            }
            String message = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            if (t instanceof BindException || t instanceof IOException && message.startsWith("bind")) {
                return failure(bindProblem(host, port, portSetting, message), e);
            }
        }
        return e;
    }

    private static String bindProblem(String host, int port, Setting portSetting, String why) {
        if (why.contains("in use")) {
            return "cannot listen on port " + port + " of " + host + ": another process is using the port. Stop it, or set "
                    + portSetting.label() + " to a free port (0 picks one).";
        }
        if (why.contains("assign")) {
            return "cannot listen on " + host + ": it is not an address of this machine. " + hostFix();
        }
        if (why.contains("permission") || why.contains("access")) {
            return "cannot listen on port " + port + ": ports below 1024 need privileges. Set " + portSetting.label()
                    + " to 1024 or above (and forward the low port to it).";
        }
        return "cannot listen on " + host + ":" + port + ": " + why + ". Check " + Setting.HOST.label() + " and "
                + portSetting.label() + ".";
    }

    private static String hostFix() {
        return "Set " + Setting.HOST.label() + " to an address of this machine: 0.0.0.0 for every interface,"
                + " 127.0.0.1 for this machine only.";
    }

    private static IllegalStateException failure(String message, RuntimeException cause) {
        return new IllegalStateException(message, cause);
    }
}
