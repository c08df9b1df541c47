package io.sqlqueue;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * A worker node as it last recorded itself: every running {@code JobWorker} heartbeats a row with what it
 * runs, and deletes it when it stops gracefully. A node that stopped heartbeating is dead: its RUNNING jobs
 * are given back without waiting out their leases.
 *
 * <pre>{@code
 * jobQueue.nodes().stream().filter(NodeStatus::alive).forEach((node) -> log.info("{} runs {}", node.id(), node.queues()));
 * }</pre>
 *
 * @param id the worker's id, as stored in {@code locked_by} of the jobs it runs
 * @param startedAt when it first recorded itself (database clock)
 * @param lastSeenAt its last heartbeat (database clock)
 * @param alive whether it heartbeat recently enough to count as running
 * @param version the sqlqueue version it runs, or {@code "unknown"}
 * @param queues the queues it works, with their handler slots at its last heartbeat
 * @param jobTypes the job types it has handlers for
 */
public record NodeStatus(String id, Instant startedAt, Instant lastSeenAt, boolean alive, String version,
		Map<String, QueueSlots> queues, Set<String> jobTypes) {

	public NodeStatus {
		queues = Map.copyOf(queues);
		jobTypes = Set.copyOf(jobTypes);
	}

	/**
	 * One queue's handler slots on a node.
	 *
	 * @param concurrency handlers it may run at once
	 * @param busy handlers running at its last heartbeat
	 */
	public record QueueSlots(int concurrency, int busy) {
	}

}
