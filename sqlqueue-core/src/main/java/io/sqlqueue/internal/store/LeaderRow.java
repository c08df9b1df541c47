package io.sqlqueue.internal.store;

import java.time.Instant;

/**
 * Who holds a leadership, read with the database's current time.
 *
 * @param leaderId the holder's id, or {@code null} when nobody ever held it
 * @param expiresAt when the holder's term ends unless renewed
 * @param now the database's time at the read
 */
public record LeaderRow(String leaderId, Instant expiresAt, Instant now) {

	/** Whether someone holds it now. */
	public boolean held() {
		return this.leaderId != null && this.expiresAt.isAfter(this.now);
	}

}
