package io.sqlqueue.internal.store;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The JSON of the metadata and logs columns, which sqlqueue itself writes. */
public final class JsonText {

	private static final JsonMapper MAPPER = JsonMapper.builder().build();

	private static final TypeReference<Map<String, String>> MAP = new TypeReference<>() {
	};

	private static final TypeReference<List<String>> LIST = new TypeReference<>() {
	};

	/** The metadata key under which a column that is not a JSON object is kept as it was read. */
	public static final String UNREADABLE = "sqlqueue.unreadable";

	private JsonText() {
	}

	/** {@code map} as a JSON object, or {@code null} when empty. */
	public static String writeMap(Map<String, String> map) {
		return (map == null || map.isEmpty()) ? null : MAPPER.writeValueAsString(map);
	}

	/** {@code lines} as a JSON array, or {@code null} when {@code null}. */
	public static String writeList(List<String> lines) {
		return (lines == null) ? null : MAPPER.writeValueAsString(lines);
	}

	/**
	 * The entries of a JSON object, empty when {@code null}. A column written by another tool never fails
	 * the read (which would fail every job claimed with it): nested values are kept as their JSON text,
	 * and anything but an object is kept whole under {@value #UNREADABLE}.
	 */
	public static Map<String, String> readMap(String json) {
		if (json == null || json.isEmpty()) {
			return Map.of();
		}
		try {
			return MAPPER.readValue(json, MAP);
		}
		catch (JacksonException ex) {
			try {
				JsonNode node = MAPPER.readTree(json);
				if (node.isObject()) {
					Map<String, String> map = new LinkedHashMap<>();
					for (Map.Entry<String, JsonNode> entry : node.properties()) {
						JsonNode value = entry.getValue();
						map.put(entry.getKey(), value.isValueNode() ? value.asString() : value.toString());
					}
					return map;
				}
			}
			catch (JacksonException notJson) {
				// kept whole below
			}
			return Map.of(UNREADABLE, json);
		}
	}

	/**
	 * The lines of a JSON array, empty when {@code null}. Like {@link #readMap(String)}, it never fails:
	 * a nested value is kept as its JSON text, and anything but an array as one line.
	 */
	public static List<String> readList(String json) {
		if (json == null || json.isEmpty()) {
			return List.of();
		}
		try {
			return MAPPER.readValue(json, LIST);
		}
		catch (JacksonException ex) {
			try {
				JsonNode node = MAPPER.readTree(json);
				if (node.isArray()) {
					List<String> lines = new ArrayList<>();
					for (JsonNode line : node) {
						lines.add(line.isValueNode() ? line.asString() : line.toString());
					}
					return lines;
				}
			}
			catch (JacksonException notJson) {
				// kept whole below
			}
			return List.of(json);
		}
	}

}
