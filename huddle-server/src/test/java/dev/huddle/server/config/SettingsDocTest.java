package dev.huddle.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The settings table of docs/operations.md lists exactly the declared settings, in their order, each with its
 * declared flag, variable, default and allowed values; only the Meaning column is the doc's own. On a mismatch
 * the failure prints the table as the declarations give it, keeping the doc's meanings.
 */
class SettingsDocTest {
    static final String HEADER = "| Flag | Environment variable | Default | Values | Meaning |";

    @Test
    @DisplayName("docs/operations.md's settings table matches the declarations: no setting missing, none extra, same flag, variable, default and values")
    void tableMatchesDeclarations() throws IOException {
        Map<String, String> meanings = new LinkedHashMap<>();
        List<String> documented = new ArrayList<>();
        for (String row : tableRows(operationsDoc())) {
            String[] cells = row.split("\\|", 6);
            String facts = Arrays.stream(cells, 1, 5).map(String::strip).collect(Collectors.joining(" | ", "| ", " |"));
            documented.add(facts);
            meanings.put(cells[1].strip(), cells[5].strip().replaceAll("\\|$", "").strip());
        }
        List<String> declared = Arrays.stream(Setting.values()).map(SettingsDocTest::facts).toList();
        String table = HEADER + "\n| --- | --- | --- | --- | --- |\n" + Arrays.stream(Setting.values())
                .map(s -> facts(s) + " " + meanings.getOrDefault(code(s.flag()), "(what it does)") + " |")
                .collect(Collectors.joining("\n"));
        assertThat(documented).as("docs/operations.md's settings table; as declared it reads (copy the lines from the header on):%n%n%s%n%n", table)
                .containsExactlyElementsOf(declared);
    }

    /** The first four cells of a setting's row, as markdown. */
    static String facts(Setting s) {
        String def = s.defaultValue() != null ? code(s.defaultValue())
                : s.unsetMeaning() != null ? "– (" + s.unsetMeaning() + ")" : "–";
        return "| " + code(s.flag()) + " | " + code(s.env()) + " | " + def + " | " + s.allowed().describe() + " |";
    }

    private static String code(String text) {
        return "`" + text + "`";
    }

    private static List<String> tableRows(List<String> lines) {
        int start = lines.indexOf(HEADER);
        assertThat(start).as("docs/operations.md has a settings table headed %s", HEADER).isNotNegative();
        List<String> rows = new ArrayList<>();
        for (int i = start + 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
            rows.add(lines.get(i));
        }
        return rows;
    }

    /** docs/operations.md, found from the module directory the tests run in or the repository root. */
    private static List<String> operationsDoc() throws IOException {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path doc = dir.resolve("docs/operations.md");
            if (Files.isRegularFile(doc)) {
                return Files.readAllLines(doc);
            }
        }
        throw new IOException("docs/operations.md not found above " + Path.of("").toAbsolutePath());
    }
}
