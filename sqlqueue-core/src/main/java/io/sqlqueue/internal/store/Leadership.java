package io.sqlqueue.internal.store;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.springframework.dao.DuplicateKeyException;

/**
 * The leader table: a row per leadership, held by one node until its term ends. A node takes it when
 * nobody holds it or the term has passed, and extends its own term; both in one guarded statement, so two
 * nodes can never hold it at once by the database's clock.
 */
final class Leadership {

	/** Before any term: a row inserted with it is free to take. */
	private static final Instant NEVER = Instant.EPOCH;

	private final StoreSql sql;

	private final String table;

	Leadership(StoreSql sql) {
		this.sql = sql;
		this.table = sql.tableNamed("leader");
	}

	boolean attemptElect(String name, String leaderId, Duration term) {
		if (attemptElectOnce(name, leaderId, term)) {
			return true;
		}
		if (get(name).isPresent()) {
			return false;
		}
		// the first attempt ever: the row is created free, and taken at the next attempt by whoever comes first
		String onConflict = this.sql.vendor.onConflictDoNothing("(name)");
		try {
			this.sql.cached.update("INSERT INTO " + this.table + " (name, leader_id, expires_at) VALUES (?, NULL, "
					+ this.sql.vendor.timeParam() + ")" + ((onConflict != null) ? " " + onConflict : ""), name,
					this.sql.vendor.toDatabaseTime(NEVER));
		}
		catch (DuplicateKeyException ex) {
			// another node created it
		}
		return attemptElectOnce(name, leaderId, term);
	}

	private boolean attemptElectOnce(String name, String leaderId, Duration term) {
		return this.sql.cached.update("UPDATE " + this.table + " SET leader_id = ?, expires_at = " + this.sql.nowPlusParam()
				+ " WHERE name = ? AND (leader_id = ? OR expires_at < " + this.sql.now() + ")", leaderId, term.toMillis(),
				name, leaderId) == 1;
	}

	void resign(String name, String leaderId) {
		this.sql.cached.update("UPDATE " + this.table + " SET expires_at = " + this.sql.vendor.timeParam()
				+ " WHERE name = ? AND leader_id = ?", this.sql.vendor.toDatabaseTime(NEVER), name, leaderId);
	}

	Optional<LeaderRow> get(String name) {
		return this.sql.cached.query("SELECT leader_id, expires_at, " + this.sql.now() + " AS now_ FROM " + this.table
				+ " WHERE name = ?", (rs, row) -> new LeaderRow(rs.getString(1), this.sql.vendor.readTime(rs, "expires_at"),
						this.sql.vendor.readTime(rs, "now_")), name)
			.stream()
			.findFirst();
	}

}
