package io.sqlqueue.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.sqlqueue.NodeStatus;
import io.sqlqueue.NodeStatus.QueueSlots;
import io.sqlqueue.internal.store.NodeRow;

/** The JSON a node records about itself in the node table, written by the node and read back for anyone. */
public final class NodeInfo {

	private static final JsonMapper MAPPER = JsonMapper.builder().build();

	/** The sqlqueue version of this JVM, from the jar's manifest. */
	public static final String VERSION = versionOfThisJar();

	private NodeInfo() {
	}

	/** What a node runs, as JSON. */
	public static String write(Map<String, QueueSlots> queues, Set<String> jobTypes) {
		Map<String, Object> info = new LinkedHashMap<>();
		info.put("version", VERSION);
		info.put("queues", queues);
		info.put("jobTypes", new TreeSet<>(jobTypes));
		return MAPPER.writeValueAsString(info);
	}

	/** A node's row as the API shows it; a row whose JSON cannot be read shows no queues and no types. */
	public static NodeStatus read(NodeRow row) {
		Map<String, QueueSlots> queues = new LinkedHashMap<>();
		Set<String> types = new TreeSet<>();
		String version = "unknown";
		try {
			JsonNode info = (row.info() != null) ? MAPPER.readTree(row.info()) : MAPPER.createObjectNode();
			version = info.path("version").asString("unknown");
			for (Map.Entry<String, JsonNode> queue : info.path("queues").properties()) {
				queues.put(queue.getKey(), new QueueSlots(queue.getValue().path("concurrency").asInt(),
						queue.getValue().path("busy").asInt()));
			}
			info.path("jobTypes").forEach((type) -> types.add(type.asString()));
		}
		catch (JacksonException ex) {
			// another version's or a hand-edited row: shown with what its columns say
		}
		return new NodeStatus(row.id(), row.startedAt(), row.lastSeenAt(), row.alive(), version, queues, types);
	}

	/** Every node of {@code rows}. */
	public static List<NodeStatus> readAll(List<NodeRow> rows) {
		return rows.stream().map(NodeInfo::read).toList();
	}

	private static String versionOfThisJar() {
		String version = NodeInfo.class.getPackage().getImplementationVersion();
		return (version != null) ? version : "unknown";
	}

}
