package dev.huddle.server.config;

import java.util.List;

/** Start-up configuration that cannot work; the message names every setting at fault. */
public final class ConfigException extends RuntimeException {
    private final List<String> problems;

    public ConfigException(List<String> problems) {
        super("Invalid configuration:\n  - " + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    /** One line per setting at fault, each naming the setting. */
    public List<String> problems() {
        return problems;
    }
}
