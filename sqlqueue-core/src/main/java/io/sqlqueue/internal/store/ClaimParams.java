package io.sqlqueue.internal.store;

import java.time.Duration;
import java.time.Instant;
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
 * @param after where in claim order to start, or {@code null} for the front: only jobs of its priority after it
 * are claimed (see {@link After})
 */
public record ClaimParams(String queue, int limit, Duration lease, String workerId, Set<String> types, After after) {

	/**
	 * A position in claim order, the last job a claim took: a claim after it starts its index scan there instead
	 * of at the front of the queue. While a held snapshot keeps vacuum from removing them, the index entries of
	 * every job claimed since lie at that front, each costing a claim a heap visit: 50,000 of them made a claim
	 * of 10 jobs take 5 to 11 ms instead of 0.1. Only where the database {@link Vendor#needsVacuum() needs vacuum}.
	 *
	 * @param priority the job's priority: a claim after it takes only jobs of that priority
	 * @param runAt its due time
	 * @param id its id
	 */
	public record After(int priority, Instant runAt, long id) {
	}

	/** A claim from the front of the queue. */
	public ClaimParams(String queue, int limit, Duration lease, String workerId, Set<String> types) {
		this(queue, limit, lease, workerId, types, null);
	}

	/** The same claim, starting after {@code after}. */
	public ClaimParams after(After after) {
		return new ClaimParams(this.queue, this.limit, this.lease, this.workerId, this.types, after);
	}

	public ClaimParams {
		types = (types != null) ? Set.copyOf(types) : null;
		if (types != null && types.isEmpty()) {
			throw new IllegalArgumentException("A claim for no job type would claim nothing");
		}
	}

	/** A claim of any type, for code that claims by hand. */
	public ClaimParams(String queue, int limit, Duration lease, String workerId) {
		this(queue, limit, lease, workerId, null, null);
	}

}
