package io.sqlqueue.internal.store;

import static io.sqlqueue.internal.store.StoreSql.READY;
import static io.sqlqueue.internal.store.StoreSql.RUNNING;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;

import org.springframework.dao.DuplicateKeyException;

import io.sqlqueue.Job;

/**
 * The claims: due jobs of a queue become RUNNING with their attempt incremented and a lease, in one
 * statement, or in one transaction where the database needs two.
 */
final class JobClaims {

	private static final Comparator<Job> CLAIM_ORDER = Comparator.comparingInt(Job::priority)
		.reversed()
		.thenComparing(Job::runAt)
		.thenComparingLong(Job::id);

	private final StoreSql sql;

	private final String queueLockTable;

	/** The one-statement claims of any type, and of the types bound as one array (PostgreSQL). */
	private final Supplier<String> claimAny;

	private final Supplier<String> claimTyped;

	/** The same, starting after a position in claim order ({@link ClaimParams.After}). */
	private final Supplier<String> claimAnyAfter;

	private final Supplier<String> claimTypedAfter;

	JobClaims(StoreSql sql) {
		this.sql = sql;
		this.queueLockTable = sql.tableNamed("queue_lock");
		this.claimAny = StoreSql.builtOnce(() -> claimSql(""));
		this.claimTyped = StoreSql.builtOnce(() -> claimSql(typeFilter(1)));
		this.claimAnyAfter = StoreSql.builtOnce(() -> claimSql(after()));
		this.claimTypedAfter = StoreSql.builtOnce(() -> claimSql(typeFilter(1) + after()));
	}

	/**
	 * The condition of a claim after a position: the priority equal and the rest of the claim index's key after
	 * it, which PostgreSQL uses as the index scan's start (a row comparison over its last two columns).
	 */
	private String after() {
		return " AND priority = ? AND (run_at, id) > (" + this.sql.vendor.timeParam() + ", ?)";
	}

	List<Job> claim(ClaimParams p) {
		List<Object> due = dueArgs(p);
		List<Job> jobs = switch (this.sql.vendor.claimForm()) {
			// the locked due ids come first in the text, then the SET clause; its plan cached, as any plan of it
			// reads the claim index in claim order (GenericPlanTests)
			case UPDATE_FROM_LOCKED -> this.sql.cached.query(claimFromLocked(p), this.sql.jobRowMapper(),
					concat(due, List.of(p.lease().toMillis(), p.workerId())));
			case UPDATE_RETURNING -> this.sql.jdbc.query(claimSql(typeFilter(p)), this.sql.jobRowMapper(),
					concat(List.of(p.lease().toMillis(), p.workerId()), due));
			case LOCK_THEN_UPDATE -> this.sql.inTransaction(() -> lockThenUpdate(this.sql.jdbc
				.queryForList(dueIdsSql(typeFilter(p)) + " FOR UPDATE SKIP LOCKED", Long.class, due.toArray()), p));
		};
		if (jobs.size() > 1) {
			jobs = new ArrayList<>(jobs);
			jobs.sort(CLAIM_ORDER);
		}
		return jobs;
	}

	private String claimFromLocked(ClaimParams p) {
		if (p.after() != null) {
			return (p.types() == null) ? this.claimAnyAfter.get() : this.claimTypedAfter.get();
		}
		return (p.types() == null) ? this.claimAny.get() : this.claimTyped.get();
	}

	/**
	 * The ids of a queue's due jobs in claim order, of the types {@code typeFilter} lets through: parameters
	 * the queue, the types, the limit.
	 */
	private String dueIdsSql(String typeFilter) {
		return "SELECT id FROM " + this.sql.table + " WHERE queue = ? AND " + notPaused() + " AND state = " + READY
				+ " AND run_at <= " + this.sql.now() + typeFilter + " ORDER BY priority DESC, run_at, id LIMIT ?";
	}

	/**
	 * The queue (a parameter) is not paused: read by the claim itself, so that every node stops claiming a paused
	 * queue at its next claim, with nothing cached to go stale.
	 */
	private String notPaused() {
		return "NOT EXISTS (SELECT 1 FROM " + this.sql.tableNamed("queue") + " q WHERE q.name = ? AND q.paused = TRUE)";
	}

	/** The parameters of {@link #dueIdsSql(String)}. */
	private List<Object> dueArgs(ClaimParams p) {
		List<Object> args = new ArrayList<>();
		args.add(p.queue());
		args.add(p.queue());
		args.addAll(typeArgs(p));
		if (p.after() != null) {
			if (this.sql.vendor.claimForm() != Vendor.ClaimForm.UPDATE_FROM_LOCKED) {
				throw new UnsupportedOperationException("A claim after a position is for PostgreSQL's claim");
			}
			args.add(p.after().priority());
			args.add(this.sql.vendor.toDatabaseTime(p.after().runAt()));
			args.add(p.after().id());
		}
		args.add(p.limit());
		return args;
	}

	/**
	 * The condition that keeps a claim to the types its node can run, so that during a rolling deploy a node
	 * leaves a new type's jobs to the nodes that have its handler: empty for any type.
	 */
	String typeFilter(ClaimParams p) {
		return (p.types() == null) ? "" : typeFilter(p.types().size());
	}

	private String typeFilter(int types) {
		// one text whatever the node's types where the database takes an array
		return this.sql.vendor.arrays() ? " AND type = ANY(CAST(? AS text[]))"
				: " AND type IN (" + StoreSql.placeholders(types) + ")";
	}

	List<Object> typeArgs(ClaimParams p) {
		if (p.types() == null) {
			return List.of();
		}
		List<String> types = p.types().stream().sorted().toList();
		return this.sql.vendor.arrays() ? List.of(StoreSql.textArray(types)) : List.copyOf(types);
	}

	static Object[] concat(List<Object> first, List<Object> second) {
		List<Object> all = new ArrayList<>(first);
		all.addAll(second);
		return all.toArray();
	}

	/**
	 * The SET clause of a claim ({@code lease millis}, {@code worker} parameters), its columns qualified by
	 * {@code alias}.
	 */
	private String claimSet(String alias) {
		return "state = " + RUNNING + ", attempt = " + alias + "attempt + 1, locked_until = " + this.sql.nowPlusParam()
				+ ", locked_by = ?, cancel_requested = FALSE";
	}

	/** The one-statement claim of {@link Vendor.ClaimForm#UPDATE_FROM_LOCKED} or {@link Vendor.ClaimForm#UPDATE_RETURNING}. */
	private String claimSql(String typeFilter) {
		if (this.sql.vendor.claimForm() == Vendor.ClaimForm.UPDATE_RETURNING) {
			// one DML statement takes SQLite's write lock before it reads, so no two claims interleave
			return "UPDATE " + this.sql.table + " SET " + claimSet("") + " WHERE id IN (" + dueIdsSql(typeFilter) + ") RETURNING "
					+ StoreSql.COLUMNS;
		}
		// A claim commits without waiting for its WAL flush: lost in a database crash, its jobs are simply
		// READY again, and the fencing attempt rejects the outcome of the run that was lost. The next durable
		// commit (the run's outcome) flushes the claim with it.
		return "WITH async AS (SELECT set_config('synchronous_commit', 'off', true)), due AS (" + dueIdsSql(typeFilter)
				+ " FOR UPDATE SKIP LOCKED) UPDATE " + this.sql.table + " j SET " + claimSet("j.")
				+ " FROM due, async WHERE j.id = due.id RETURNING " + qualified("j.");
	}

	/** Marks the locked {@code ids} RUNNING and reads them back, in the transaction that locked them. */
	List<Job> lockThenUpdate(List<Long> ids, ClaimParams p) {
		if (ids.isEmpty()) {
			return List.of();
		}
		String in = StoreSql.placeholders(ids.size());
		List<Object> args = new ArrayList<>(ids.size() + 2);
		args.add(p.lease().toMillis());
		args.add(p.workerId());
		args.addAll(ids);
		this.sql.jdbc.update("UPDATE " + this.sql.table + " SET " + claimSet("") + " WHERE state = " + READY
				+ " AND id IN (" + in + ")", args.toArray());
		return this.sql.jdbc.query("SELECT " + StoreSql.COLUMNS + " FROM " + this.sql.table + " WHERE state = "
				+ RUNNING + " AND id IN (" + in + ")", this.sql.jobRowMapper(), ids.toArray());
	}

	// ---- FIFO ----------------------------------------------------------------------------------

	List<Job> claimFifo(ClaimParams p) {
		if (paused(p.queue())) {
			return List.of();
		}
		List<Job> jobs;
		if (!this.sql.vendor.locksFifoQueues()) {
			jobs = this.sql.jdbc.query("UPDATE " + this.sql.table + " SET " + claimSet("") + " WHERE id IN ("
					+ fifoHeadsSql(typeFilter(p)) + ") RETURNING " + StoreSql.COLUMNS, this.sql.jobRowMapper(),
					concat(List.of(p.lease().toMillis(), p.workerId()), Arrays.asList(fifoArgs(p))));
		}
		else {
			jobs = this.sql.inTransaction(() -> {
				this.sql.jdbc.query("SELECT queue FROM " + this.queueLockTable + " WHERE queue = ? FOR UPDATE", (rs) -> {
				}, p.queue());
				List<Long> heads = this.sql.jdbc.queryForList(fifoHeadsSql(typeFilter(p)), Long.class, fifoArgs(p));
				return this.sql.vendor.arrays() ? updateHeads(heads, p) : lockThenUpdate(heads, p);
			});
		}
		jobs = new ArrayList<>(jobs);
		jobs.sort(Comparator.comparingLong(Job::id));
		return jobs;
	}

	/**
	 * Marks the FIFO heads RUNNING and returns them in one statement, the heads joined as the outcomes join
	 * their batch ({@code (SELECT ... LIMIT ?)}, so that any plan looks them up in the primary key); the
	 * separate update by an id list and read-back walked the claim and lease indexes under a generic plan.
	 */
	List<Job> updateHeads(List<Long> heads, ClaimParams p) {
		if (heads.isEmpty()) {
			return List.of();
		}
		return this.sql.query("UPDATE " + this.sql.table + " j SET " + claimSet("j.") + " FROM (SELECT * FROM unnest("
				+ "CAST(? AS bigint[])) AS a(id) LIMIT ?) h WHERE j.id = h.id AND j.state + 0 = " + READY + " RETURNING "
				+ qualified("j."), this.sql.jobRowMapper(), StoreSql.Param.of(p.lease().toMillis()),
				StoreSql.Param.of(p.workerId()), new StoreSql.SqlArray("bigint", heads.toArray()),
				StoreSql.Param.of(heads.size()));
	}

	/**
	 * The claimable heads of a FIFO queue: a due READY job that is the oldest READY or RUNNING job of its
	 * ordering key (jobs without one form one group), in a key with no job RUNNING, of a type {@code typeFilter}
	 * lets through (a head of another type holds its key back: order goes first). Parameters: the queue twice,
	 * the types, the limit.
	 *
	 * <p>One grouped pass over the queue's READY jobs (through the claim index) and its RUNNING ones (through
	 * the lease index) finds, per key, the oldest id and whether any is running; the keys are never compared
	 * row by row. An earlier form asked, for each READY job, whether an older one of its key existed; compared
	 * null-safely, the keys could not be hashed, and with 20,000 jobs queued on PostgreSQL the statement
	 * compared 100 million pairs and took 13 s.
	 */
	private String fifoHeadsSql(String typeFilter) {
		String t = this.sql.table;
		return "SELECT j.id FROM " + t + " j JOIN (SELECT MIN(h.id) AS id FROM (SELECT id, ordering_key, 0 AS running"
				+ " FROM " + t + " WHERE queue = ? AND state = " + READY + " UNION ALL SELECT id, ordering_key,"
				+ " 1 AS running FROM " + t + " WHERE queue = ? AND state = " + RUNNING + ") h GROUP BY h.ordering_key"
				+ " HAVING MAX(h.running) = 0) heads ON heads.id = j.id WHERE j.run_at <= " + this.sql.now()
				+ typeFilter.replace(" type ", " j.type ") + " ORDER BY j.id LIMIT ?";
	}

	private Object[] fifoArgs(ClaimParams p) {
		List<Object> args = new ArrayList<>(List.of(p.queue(), p.queue()));
		args.addAll(typeArgs(p));
		args.add(p.limit());
		return args.toArray();
	}

	private boolean paused(String queue) {
		return !this.sql.jdbc.queryForList("SELECT 1 FROM " + this.sql.tableNamed("queue") + " q WHERE q.name = ? AND"
				+ " q.paused = TRUE", Integer.class, queue).isEmpty();
	}

	/** Marks the claimable {@code ids} RUNNING and returns them, in the form this database claims in. */
	List<Job> claimIds(List<Long> ids, ClaimParams p) {
		return this.sql.vendor.arrays() ? updateHeads(ids, p) : lockThenUpdate(ids, p);
	}

	void queueLockEnsure(String queue) {
		if (!this.sql.vendor.locksFifoQueues()) {
			return;
		}
		try {
			this.sql.jdbc.update("INSERT INTO " + this.queueLockTable + " (queue) VALUES (?)", queue);
		}
		catch (DuplicateKeyException ex) {
			// another node created it
		}
	}

	private static String qualified(String alias) {
		StringBuilder columns = new StringBuilder();
		for (String column : StoreSql.COLUMNS.split(", ")) {
			columns.append((columns.length() > 0) ? ", " : "").append(alias).append(column);
		}
		return columns.toString();
	}

}
