package io.sqlqueue.dialect;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import javax.sql.DataSource;


import io.sqlqueue.Job;

/**
 * PostgreSQL 12+: claims with {@code FOR UPDATE SKIP LOCKED} in one {@code UPDATE ... RETURNING},
 * completes and extends leases for a whole batch in one statement over arrays, and wakes idle
 * workers with {@code pg_notify}.
 */
public class PostgresDialect extends Dialect {

	/**
	 * The RUNNING guard of statements that reach their rows by id. Written as an expression so that
	 * no index on {@code state} can serve it: right after a burst of claims the planner's statistics
	 * still say almost no job is RUNNING, and it would scan every running job for each id instead of
	 * looking the ids up in the primary key (seconds per batch with a large backlog).
	 */
	private static final String RUNNING_BY_ID = "j.state + 0 = 1";

	/** The inserts of {@link #jobInsertNotifying}. */
	private final Supplier<String> insertNotifyingSql = builtOnce(() -> notifying(insertSql()));

	private final Supplier<String> bareInsertNotifyingSql = builtOnce(() -> notifying(bareInsertSql()));

	/** A dialect for the {@code tablePrefix} tables of {@code dataSource}; see {@link #validateTablePrefix(String)}. */
	public PostgresDialect(DataSource dataSource, String tablePrefix) {
		super(dataSource, tablePrefix);
	}

	@Override
	public String vendor() {
		return "postgresql";
	}

	/**
	 * The LISTEN/NOTIFY channel. A payload is a queue name, then a space and the origin of the
	 * {@code JdbcJobQueue} that sent it (queue names have no spaces); a payload of a queue name alone
	 * wakes that queue's workers as well.
	 */
	public String notificationChannel() {
		return tablePrefix() + "jobs";
	}

	/** The queue a notification's payload names. */
	public static String notifiedQueue(String payload) {
		int space = payload.indexOf(' ');
		return (space < 0) ? payload : payload.substring(0, space);
	}

	/** The origin a notification's payload names, or null when it names none. */
	public static String notifiedOrigin(String payload) {
		int space = payload.indexOf(' ');
		return (space < 0) ? null : payload.substring(space + 1);
	}

	@Override
	protected String now() {
		return "now()";
	}

	@Override
	protected String plusMillis(String time, String millis) {
		return "(" + time + " + CAST(" + millis + " AS double precision) * interval '1 millisecond')";
	}

	@Override
	protected String timeParam() {
		return "CAST(? AS timestamptz)";
	}

	@Override
	protected String jsonParam() {
		return "CAST(? AS jsonb)";
	}

	@Override
	protected Long insertUnique(NewJob job) {
		// a failed statement would abort the caller's transaction: do nothing on conflict instead
		return insertOnConflictDoNothing(job, "ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND state IN (0, 1, 5) DO NOTHING");
	}

	@Override
	public int rowsPerInsertStatement() {
		// one array statement per 10,000 rows: fewer round trips, and bounded arrays for huge batches
		return 10_000;
	}

	@Override
	protected String returningIdsSql(String insert) {
		return insert + " RETURNING id";
	}

	/**
	 * Inserts ready jobs (no parent, no unique key) from one array per column: one short statement
	 * however many rows, instead of a statement with 13 bind parameters a row that the driver and
	 * the server both parse at length. A column that is null in every row (metadata, run-at,
	 * ordering key and retention, usually) is sent as one null, which {@code unnest} pads.
	 */
	@Override
	protected List<Long> insertChunk(List<NewJob> jobs) {
		if (jobs.stream().anyMatch((job) -> job.parentId() != null || job.uniqueKey() != null)) {
			// the row-per-parameters form, under the protocol's 65,535 bind parameters (13 a row)
			return inChunks(jobs, 4000, super::insertChunk);
		}
		int n = jobs.size();
		String[] queues = new String[n];
		String[] types = new String[n];
		String[] payloads = new String[n];
		String[] metadata = new String[n];
		Integer[] priorities = new Integer[n];
		String[] runAts = new String[n];
		Long[] delays = new Long[n];
		Integer[] maxAttempts = new Integer[n];
		String[] orderingKeys = new String[n];
		Long[] retentions = new Long[n];
		for (int i = 0; i < n; i++) {
			NewJob job = jobs.get(i);
			queues[i] = job.queue();
			types[i] = job.type();
			payloads[i] = job.payload();
			metadata[i] = job.metadata();
			priorities[i] = job.priority();
			runAts[i] = (job.runAt() != null) ? job.runAt().toString() : null;
			delays[i] = job.delayMillis();
			maxAttempts[i] = job.maxAttempts();
			orderingKeys[i] = job.orderingKey();
			retentions[i] = job.retentionMillis();
		}
		String sql = "INSERT INTO " + this.table + " (" + INSERT_COLUMNS + ") SELECT u.queue, u.type,"
				+ " CAST(u.payload AS jsonb), CAST(u.metadata AS jsonb), 0, u.priority,"
				+ " COALESCE(CAST(u.run_at AS timestamptz), " + plusMillis("now()", "u.delay") + "), u.max_attempts,"
				+ " NULL, now(), NULL, u.ordering_key, u.retention"
				+ " FROM unnest(CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]),"
				+ " CAST(? AS integer[]), CAST(? AS text[]), CAST(? AS bigint[]), CAST(? AS integer[]),"
				+ " CAST(? AS text[]), CAST(? AS bigint[])) WITH ORDINALITY"
				+ " AS u(queue, type, payload, metadata, priority, run_at, delay, max_attempts, ordering_key, retention, n)"
				+ " ORDER BY u.n RETURNING id";
		List<Long> ids = this.jdbc.query((Connection con) -> {
			PreparedStatement ps = con.prepareStatement(sql);
			setArray(ps, 1, "text", queues);
			setArray(ps, 2, "text", types);
			setArray(ps, 3, "text", payloads);
			setArray(ps, 4, "text", metadata);
			setArray(ps, 5, "integer", priorities);
			setArray(ps, 6, "text", runAts);
			setArray(ps, 7, "bigint", delays);
			setArray(ps, 8, "integer", maxAttempts);
			setArray(ps, 9, "text", orderingKeys);
			setArray(ps, 10, "bigint", retentions);
			return ps;
		}, (rs, row) -> rs.getLong(1));
		// identities are drawn in the order of the sorted rows
		ids.sort(Comparator.naturalOrder());
		return ids;
	}

	/** Binds {@code values} as an array, or as one null when every element is null. */
	private static void setArray(PreparedStatement ps, int index, String type, Object[] values) throws SQLException {
		for (Object value : values) {
			if (value != null) {
				ps.setArray(index, ps.getConnection().createArrayOf(type, values));
				return;
			}
		}
		ps.setNull(index, Types.ARRAY);
	}

	/**
	 * Inserts a ready job and notifies its queue in the same statement: PostgreSQL sends the
	 * notification as the insert commits, in autocommit at the end of this statement.
	 * @param origin the sending queue object's {@code notificationOrigin}
	 * @return the new job's id
	 */
	public long jobInsertNotifying(NewJob job, String origin) {
		return insertReturningId(job.bare() ? this.bareInsertNotifyingSql.get() : this.insertNotifyingSql.get(), job,
				notificationChannel(), job.queue() + " " + origin);
	}

	/** {@code insert}, returning its id and queuing a notification (channel and payload parameters last). */
	private static String notifying(String insert) {
		return "WITH j AS (" + insert + " RETURNING id) SELECT id, pg_notify(?, ?) FROM j";
	}

	/**
	 * Wakes the workers of {@code queues}, one notification each, in one statement. Called outside
	 * any transaction once the jobs are committed; its own commit does not wait for the WAL flush,
	 * since a notification lost in a crash only leaves the jobs to the workers' next poll.
	 * @param origin the sending queue object's {@code notificationOrigin}, which its own workers
	 * (woken directly) ignore
	 */
	public void jobNotify(Collection<String> queues, String origin) {
		String[] names = queues.toArray(String[]::new);
		this.jdbc.query((Connection con) -> {
			PreparedStatement ps = con.prepareStatement("SELECT set_config('synchronous_commit', 'off', true),"
					+ " pg_notify(?, q || ' ' || ?) FROM unnest(?) AS q");
			ps.setString(1, notificationChannel());
			ps.setString(2, origin);
			ps.setArray(3, con.createArrayOf("text", names));
			return ps;
		}, (rs) -> {
		});
	}

	/**
	 * {@code VACUUM (ANALYZE, SKIP_LOCKED)} of the job table: skipped while another session vacuums
	 * it, so that nodes vacuuming on the same schedule do not queue up behind each other. It
	 * analyzes as well, since a server without autovacuum has no autoanalyze either: with the
	 * statistics of an empty table the planner scanned every succeeded job for each batch of the
	 * retention cleanup. Needs the table's owner (or, from PostgreSQL 16, the MAINTAIN privilege);
	 * otherwise PostgreSQL skips it with a warning.
	 */
	@Override
	public void tableVacuum() {
		this.jdbc.execute("VACUUM (ANALYZE, SKIP_LOCKED) " + this.table);
	}

	@Override
	public boolean needsVacuum() {
		return true;
	}

	@Override
	public long tableDeadRows() {
		// the function behind pg_stat_user_tables.n_dead_tup, without the view's joins: every node asks each second
		Long dead = this.jdbc.queryForObject("SELECT pg_stat_get_dead_tuples(CAST(? AS regclass))", Long.class,
				this.table);
		return (dead != null) ? dead : 0;
	}

	@Override
	public String vacuumRefusal() {
		// VACUUM skips a table unless the user has the privileges of its owner or of the database's
		// owner (superusers have every role's), or, from PostgreSQL 17 on, the MAINTAIN privilege
		Integer version = this.jdbc.queryForObject("SELECT CAST(current_setting('server_version_num') AS integer)",
				Integer.class);
		String maintain = (version != null && version >= 170000) ? " OR has_table_privilege(c.oid, 'MAINTAIN')" : "";
		Map<String, Object> row = this.jdbc.queryForMap("SELECT current_user AS usr, pg_get_userbyid(c.relowner) AS owner,"
				+ " pg_has_role(c.relowner, 'USAGE') OR pg_has_role(d.datdba, 'USAGE')" + maintain + " AS allowed"
				+ " FROM pg_class c, pg_database d WHERE c.oid = CAST(? AS regclass) AND d.datname = current_database()",
				this.table);
		if (Boolean.TRUE.equals(row.get("allowed"))) {
			return null;
		}
		return "user " + row.get("usr") + " may not vacuum " + this.table + ", which belongs to " + row.get("owner")
				+ " (VACUUM needs the table's owner or the database's)";
	}

	@Override
	public String vacuumWarning() {
		String autovacuum = this.jdbc.queryForObject("SELECT current_setting('autovacuum')", String.class);
		return "on".equals(autovacuum) ? null : "autovacuum is off on this PostgreSQL server";
	}

	@Override
	protected List<Job> claim(String queue, int limit, long leaseMillis, String workerId) {
		// A claim commits without waiting for its WAL flush: lost in a database crash, its jobs are
		// simply READY again, and the fencing attempt rejects the outcome of the run that was lost.
		// The next durable commit (the run's outcome) flushes the claim with it.
		String sql = "WITH async AS (SELECT set_config('synchronous_commit', 'off', true)), due AS (" + dueIdsSql()
				+ " FOR UPDATE SKIP LOCKED) UPDATE " + this.table + " j SET "
				+ claimSet().replace("attempt = attempt", "attempt = j.attempt")
				+ " FROM due, async WHERE j.id = due.id RETURNING " + prefixed("j.");
		return this.jdbc.query(sql, jobRowMapper(), queue, limit, leaseMillis, workerId);
	}

	@Override
	public Set<Long> jobSetSucceededMany(List<Completion> completions) {
		int n = completions.size();
		Long[] ids = new Long[n];
		Integer[] attempts = new Integer[n];
		String[] results = new String[n];
		String[] logs = new String[n];
		for (int i = 0; i < n; i++) {
			Completion c = completions.get(i);
			ids[i] = c.ref().id();
			attempts[i] = c.ref().attempt();
			results[i] = c.result();
			logs[i] = c.logs();
		}
		String sql = "WITH done AS (UPDATE " + this.table + " j SET state = 2, finished_at = now(), locked_until = NULL,"
				+ " locked_by = NULL, result = CAST(u.result AS jsonb), logs = COALESCE(u.logs, j.logs)"
				+ " FROM unnest(?, ?, ?, ?) AS u(id, attempt, result, logs)"
				+ " WHERE j.id = u.id AND j.attempt = u.attempt AND " + RUNNING_BY_ID + " RETURNING j.id),"
				+ " children AS (UPDATE " + this.table + " c SET state = 0, run_at = now()"
				+ " WHERE c.state = 5 AND c.parent_id IN (SELECT id FROM done))" + " SELECT id FROM done";
		Set<Long> done = new HashSet<>();
		this.jdbc.query((Connection con) -> {
			PreparedStatement ps = con.prepareStatement(sql);
			ps.setArray(1, con.createArrayOf("bigint", ids));
			ps.setArray(2, con.createArrayOf("integer", attempts));
			ps.setArray(3, con.createArrayOf("text", results));
			ps.setArray(4, con.createArrayOf("text", logs));
			return ps;
		}, (rs) -> {
			done.add(rs.getLong(1));
		});
		return done;
	}

	@Override
	public List<LeaseStatus> jobExtendLeases(List<JobRef> refs, Duration lease) {
		if (refs.isEmpty()) {
			return List.of();
		}
		Long[] ids = refs.stream().map(JobRef::id).toArray(Long[]::new);
		Integer[] attempts = refs.stream().map(JobRef::attempt).toArray(Integer[]::new);
		String sql = "UPDATE " + this.table + " j SET locked_until = " + nowPlusParam()
				+ " FROM unnest(?, ?) AS u(id, attempt) WHERE j.id = u.id AND j.attempt = u.attempt AND " + RUNNING_BY_ID
				+ " RETURNING j.id, j.attempt, j.cancel_requested";
		List<LeaseStatus> owned = new ArrayList<>();
		this.jdbc.query((Connection con) -> {
			PreparedStatement ps = con.prepareStatement(sql);
			ps.setLong(1, lease.toMillis());
			Array idArray = con.createArrayOf("bigint", ids);
			ps.setArray(2, idArray);
			ps.setArray(3, con.createArrayOf("integer", attempts));
			return ps;
		}, (rs) -> {
			owned.add(new LeaseStatus(rs.getLong(1), rs.getInt(2), rs.getBoolean(3)));
		});
		return owned;
	}

	private static String prefixed(String alias) {
		StringBuilder columns = new StringBuilder();
		for (String column : COLUMNS.split(", ")) {
			if (columns.length() > 0) {
				columns.append(", ");
			}
			columns.append(alias).append(column);
		}
		return columns.toString();
	}

}
