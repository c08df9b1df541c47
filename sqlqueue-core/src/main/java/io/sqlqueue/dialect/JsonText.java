package io.sqlqueue.dialect;

import java.util.List;
import java.util.Map;

import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** The JSON of the metadata and logs columns, which sqlqueue itself writes. */
public final class JsonText {

	private static final JsonMapper MAPPER = JsonMapper.builder().build();

	private static final TypeReference<Map<String, String>> MAP = new TypeReference<>() {
	};

	private static final TypeReference<List<String>> LIST = new TypeReference<>() {
	};

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

	static Map<String, String> readMap(String json) {
		return (json == null || json.isEmpty()) ? Map.of() : MAPPER.readValue(json, MAP);
	}

	/** The lines of a JSON array, empty when {@code null}. */
	public static List<String> readList(String json) {
		return (json == null || json.isEmpty()) ? List.of() : MAPPER.readValue(json, LIST);
	}

}
