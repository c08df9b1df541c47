package io.sqlqueue.internal.store;

import java.time.Instant;

/**
 * A worker node's row, read with the database's current time.
 *
 * @param id the node's worker id
 * @param startedAt when it first recorded itself
 * @param lastSeenAt its last heartbeat
 * @param expiresAt when it counts as dead unless it heartbeats again
 * @param info what it runs, as JSON
 * @param now the database's time at the read
 */
public record NodeRow(String id, Instant startedAt, Instant lastSeenAt, Instant expiresAt, String info, Instant now) {

	/** Whether it heartbeat within its expiry. */
	public boolean alive() {
		return this.expiresAt.isAfter(this.now);
	}

}
