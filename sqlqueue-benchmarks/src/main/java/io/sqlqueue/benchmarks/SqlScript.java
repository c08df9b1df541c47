package io.sqlqueue.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The statements of one SQL file beside this class: comment lines dropped, split where a line ends
 * with {@code ;}, {@code :name} variables replaced. Keeps the benchmark's SQL in files that read like
 * the shared ceiling scripts instead of Java strings.
 */
final class SqlScript {

	private SqlScript() {
	}

	static List<String> statements(String resource, Map<String, String> variables) {
		String text;
		try (InputStream in = SqlScript.class.getResourceAsStream(resource)) {
			if (in == null) {
				throw new IllegalStateException("SQL script " + resource + " is missing from the class path");
			}
			text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		List<String> statements = new ArrayList<>();
		StringBuilder current = new StringBuilder();
		for (String line : text.split("\n")) {
			if (line.strip().startsWith("--") || line.isBlank()) {
				continue;
			}
			current.append(line).append('\n');
			if (line.strip().endsWith(";")) {
				String statement = current.toString().strip();
				statement = statement.substring(0, statement.length() - 1);
				for (Map.Entry<String, String> variable : variables.entrySet()) {
					statement = statement.replace(":" + variable.getKey(), variable.getValue());
				}
				statements.add(statement);
				current.setLength(0);
			}
		}
		return statements;
	}

	static List<String> statements(String resource) {
		return statements(resource, Map.of());
	}

}
