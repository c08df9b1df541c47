package io.sqlqueue.internal.store;

import java.time.Duration;
import java.util.Set;

/**
 * What a claim asks for.
 *
 * @param queue the queue to claim from
 * @param limit the most jobs to claim
 * @param lease how long the claimed jobs stay owned without a heartbeat (database clock)
 * @param workerId stored in {@code locked_by}
 * @param types the job types the claimer can run, or {@code null} for any: during a rolling deploy an older
 * node leaves the jobs of a type it has no handler for to the nodes that have one
 */
public record ClaimParams(String queue, int limit, Duration lease, String workerId, Set<String> types) {

	public ClaimParams {
		types = (types != null) ? Set.copyOf(types) : null;
		if (types != null && types.isEmpty()) {
			throw new IllegalArgumentException("A claim for no job type would claim nothing");
		}
	}

	/** A claim of any type, for code that claims by hand. */
	public ClaimParams(String queue, int limit, Duration lease, String workerId) {
		this(queue, limit, lease, workerId, null);
	}

}
