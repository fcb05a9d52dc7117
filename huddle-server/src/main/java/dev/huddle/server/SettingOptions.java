package dev.huddle.server;

import dev.huddle.server.config.Setting;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The command line's options, derived from the {@link Setting} declarations: one option per setting whose
 * help names its environment variable, allowed values and default, and the values given read back by
 * setting. Defaults are left to {@link dev.huddle.server.config.ConfigLoader}, so a flag given overrides
 * the variable and one not given does not.
 */
public final class SettingOptions implements IModelTransformer {
    @Override
    public CommandSpec transform(CommandSpec spec) {
        for (Setting s : Setting.values()) {
            spec.addOption(OptionSpec.builder(s.flag())
                    .type(String.class)
                    .paramLabel(s.allowed().paramLabel())
                    .description(describe(s).stream().map(SettingOptions::escape).toArray(String[]::new))
                    .build());
        }
        spec.usageMessage().sortOptions(false);
        return spec;
    }

    /** The flags given on this command line, by setting. */
    static Map<Setting, String> given(CommandSpec spec) {
        Map<Setting, String> flags = new EnumMap<>(Setting.class);
        for (Setting s : Setting.values()) {
            String value = spec.findOption(s.flag()).getValue();
            if (value != null) {
                flags.put(s, value);
            }
        }
        return flags;
    }

    /** The help lines: {@code HTTP port; 0 picks a free one.} then {@code Env: HUDDLE_PORT. Values: 0…65 535. Default: 8080.} */
    static List<String> describe(Setting s) {
        StringBuilder b = new StringBuilder("Env: ").append(s.env()).append(". Values: ").append(s.allowed().describe()).append('.');
        if (s.defaultValue() != null) {
            b.append(" Default: ").append(s.defaultValue()).append('.');
        } else if (s.unsetMeaning() != null) {
            b.append(" Unset: ").append(s.unsetMeaning()).append('.');
        }
        if (s.secret()) {
            b.append(" Prefer the variable: flags show up in ps.");
        }
        return List.of(s.help(), b.toString());
    }

    /** Picocli formats descriptions, so a literal percent sign must be doubled. */
    private static String escape(String description) {
        return description.replace("%", "%%");
    }
}
