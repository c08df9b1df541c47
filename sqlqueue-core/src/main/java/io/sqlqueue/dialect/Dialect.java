package io.sqlqueue.dialect;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import io.sqlqueue.Job;
import io.sqlqueue.JobQuery;
import io.sqlqueue.JobState;

/**
 * All SQL of sqlqueue, for one database. Method names say entity then verb
 * ({@code jobClaim}, {@code jobSetRetryIfRunning}); every transition out of RUNNING is one
 * statement guarded by id, attempt and state. Times always come from the database clock.
 *
 * <p>Subclasses supply the vendor's time arithmetic and the statements whose form differs
 * (claim, multi-row insert, unique-key conflicts, batched deletes).
 */
public abstract class Dialect {

	private static final Pattern PREFIX = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,40}");

	/** The columns every job query returns, in {@link #jobRowMapper()} order. */
	protected static final String COLUMNS = "id, queue, type, payload, metadata, state, priority, run_at, attempt, "
			+ "max_attempts, locked_until, locked_by, unique_key, last_error, created_at, finished_at, parent_id, "
			+ "ordering_key, result, logs";

	protected static final String INSERT_COLUMNS = "queue, type, payload, metadata, state, priority, run_at, "
			+ "max_attempts, unique_key, created_at, parent_id, ordering_key, retention_ms";

	private static final int READY = JobState.READY.code();

	private static final int RUNNING = JobState.RUNNING.code();

	private static final int SUCCEEDED = JobState.SUCCEEDED.code();

	private static final int DEAD = JobState.DEAD.code();

	private static final int CANCELLED = JobState.CANCELLED.code();

	private static final int WAITING = JobState.WAITING.code();

	protected final DataSource dataSource;

	protected final JdbcTemplate jdbc;

	/** The job table's name. */
	protected final String table;

	private final String tablePrefix;

	private final TransactionTemplate newTransaction;

	/** The single-row inserts returning their id. */
	private final Supplier<String> insertReturningIdSql = builtOnce(() -> returningIdsSql(insertSql()));

	private final Supplier<String> bareInsertReturningIdSql = builtOnce(() -> returningIdsSql(bareInsertSql()));

	protected Dialect(DataSource dataSource, String tablePrefix) {
		this.dataSource = dataSource;
		this.tablePrefix = validateTablePrefix(tablePrefix);
		this.table = tablePrefix + "job";
		this.jdbc = new JdbcTemplate(dataSource);
		this.newTransaction = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
		// joins a transaction the caller (the completer writing follow-up jobs) already runs
		this.newTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRED);
		this.newTransaction.setIsolationLevel(TransactionDefinition.ISOLATION_READ_COMMITTED);
	}

	/**
	 * Checks a table prefix: a letter or underscore, then up to 40 letters, digits or underscores.
	 * Configuration never reaches SQL unchecked.
	 * @throws IllegalArgumentException naming the value
	 */
	public static String validateTablePrefix(String tablePrefix) {
		if (tablePrefix == null || !PREFIX.matcher(tablePrefix).matches()) {
			throw new IllegalArgumentException("Invalid table prefix '" + tablePrefix
					+ "': use a letter or '_' followed by up to 40 letters, digits or '_'");
		}
		return tablePrefix;
	}

	/** The folder name of this database's migrations under {@code db/sqlqueue}. */
	public abstract String vendor();

	/** The configured table prefix. */
	public String tablePrefix() {
		return this.tablePrefix;
	}

	/** The job table's name. */
	public String table() {
		return this.table;
	}

	/** Whether several nodes may share this database. */
	public boolean supportsMultipleNodes() {
		return true;
	}

	/** Whether the job table's dead row versions need a {@link #tableVacuum()} (PostgreSQL). */
	public boolean needsVacuum() {
		return false;
	}

	/**
	 * Reclaims the space of the job table's dead row versions, on databases that
	 * {@link #needsVacuum()}.
	 */
	public void tableVacuum() {
		throw new UnsupportedOperationException(vendor() + " needs no VACUUM");
	}

	/**
	 * The job table's dead row versions as the server's statistics count them now, on databases that
	 * {@link #needsVacuum()}. PostgreSQL's statistics lag the writes by about a second.
	 */
	public long tableDeadRows() {
		throw new UnsupportedOperationException(vendor() + " needs no VACUUM");
	}

	/**
	 * Why the job table will bloat on this server unless sqlqueue or the operator vacuums it, or
	 * {@code null} when the database takes care of it.
	 */
	public String vacuumWarning() {
		return null;
	}

	/**
	 * Why this connection's user may not vacuum the job table (the server would skip the table with
	 * a warning, not an error), or {@code null} when it may, on databases that {@link #needsVacuum()}.
	 */
	public String vacuumRefusal() {
		return null;
	}

	// ---- vendor hooks ------------------------------------------------------------------

	/** SQL for the database's current time. */
	protected abstract String now();

	/** SQL for {@code time + millis} milliseconds, both SQL expressions. */
	protected abstract String plusMillis(String time, String millis);

	/** SQL for a bound timestamp parameter. */
	protected String timeParam() {
		return "?";
	}

	/** The JDBC value bound for {@link #timeParam()}: a UTC {@code OffsetDateTime} unless overridden. */
	protected Object toDatabaseTime(Instant instant) {
		return instant.atOffset(java.time.ZoneOffset.UTC);
	}

	/** Reads a time column, as an {@code OffsetDateTime} unless overridden. */
	protected Instant readTime(ResultSet rs, String column) throws SQLException {
		java.time.OffsetDateTime time = rs.getObject(column, java.time.OffsetDateTime.class);
		return (time != null) ? time.toInstant() : null;
	}

	/** SQL for a bound JSON parameter. */
	protected String jsonParam() {
		return "?";
	}

	/** SQL for {@code now + ? ms}. */
	protected final String nowPlusParam() {
		return plusMillis(now(), "?");
	}

	// ---- insert ------------------------------------------------------------------------

	/**
	 * Inserts one job on the caller's connection (joining its transaction). When an active job
	 * already holds the unique key, returns that job's id instead.
	 */
	public InsertResult jobInsert(NewJob job) {
		if (job.uniqueKey() == null) {
			return new InsertResult(insertReturningId(job), true);
		}
		for (int tries = 0; tries < 3; tries++) {
			Long inserted = insertUnique(job);
			if (inserted != null) {
				return new InsertResult(inserted, true);
			}
			Optional<Long> existing = jobFindActiveByUniqueKey(job.uniqueKey());
			if (existing.isPresent()) {
				return new InsertResult(existing.get(), false);
			}
			// the holder finished in between: try again
		}
		throw new IllegalStateException("Could not insert job with unique key '" + job.uniqueKey()
				+ "': the key kept changing hands");
	}

	/**
	 * Inserts a job with a unique key.
	 * @return its id, or {@code null} when an active job holds the key
	 */
	protected Long insertUnique(NewJob job) {
		try {
			return insertReturningId(job);
		}
		catch (DuplicateKeyException ex) {
			return null;
		}
	}

	/**
	 * Inserts with an {@code ON CONFLICT ... DO NOTHING} clause, for databases where a failed
	 * statement would abort the caller's transaction.
	 * @return the id, or {@code null} when the unique key was taken
	 */
	protected Long insertOnConflictDoNothing(NewJob job, String onConflict) {
		return insertReturning(returningIdsSql(insertSql() + " " + onConflict), job);
	}

	/** The single-row insert statement, parameters in {@link #bindInsert} order. */
	protected String insertSql() {
		return "INSERT INTO " + this.table + " (" + INSERT_COLUMNS + ") VALUES " + insertValues();
	}

	/**
	 * The insert of a {@linkplain NewJob#bare() bare} job, parameters in {@link #bindBareInsert}
	 * order: five instead of thirteen, and no expressions for the columns it leaves to their
	 * defaults. In a pgbench run on PostgreSQL it inserted 5% more rows a second.
	 */
	protected String bareInsertSql() {
		return "INSERT INTO " + this.table + " (queue, type, payload, state, priority, run_at, max_attempts, created_at)"
				+ " VALUES (?, ?, " + jsonParam() + ", " + READY + ", ?, " + now() + ", ?, " + now() + ")";
	}

	/** Binds a bare job's parameters from {@code index}; returns the next index. */
	protected int bindBareInsert(PreparedStatement ps, int index, NewJob job) throws SQLException {
		ps.setString(index++, job.queue());
		ps.setString(index++, job.type());
		ps.setString(index++, job.payload());
		ps.setInt(index++, job.priority());
		ps.setInt(index++, job.maxAttempts());
		return index;
	}

	/**
	 * Binds {@code job} from the first parameter for the statement that {@link #bareInsertSql()}
	 * (when it is bare) or {@link #insertSql()} begins; returns the next index.
	 */
	protected int bindInsertOf(PreparedStatement ps, NewJob job) throws SQLException {
		return job.bare() ? bindBareInsert(ps, 1, job) : bindInsert(ps, 1, job);
	}

	/**
	 * A statement's text built on first use (it calls the subclass, so not in the constructor) and
	 * the same String after that: the driver looks its prepared statement up by the text, and a
	 * String hashes itself once.
	 */
	protected static Supplier<String> builtOnce(Supplier<String> build) {
		return new Supplier<>() {

			private volatile String sql;

			@Override
			public String get() {
				String text = this.sql;
				if (text == null) {
					text = build.get();
					this.sql = text;
				}
				return text;
			}

		};
	}

	/** One row's {@code (...)} for {@link #INSERT_COLUMNS}. */
	protected String insertValues() {
		String state = "?";
		return "(?, ?, " + jsonParam() + ", " + jsonParam() + ", " + state + ", ?, COALESCE(" + timeParam() + ", "
				+ nowPlusParam() + "), ?, ?, " + now() + ", ?, ?, ?)";
	}

	/** Binds one row's parameters from {@code index}; returns the next index. */
	protected int bindInsert(PreparedStatement ps, int index, NewJob job) throws SQLException {
		ps.setString(index++, job.queue());
		ps.setString(index++, job.type());
		ps.setString(index++, job.payload());
		ps.setString(index++, job.metadata());
		ps.setInt(index++, initialState(job));
		ps.setInt(index++, job.priority());
		ps.setObject(index++, (job.runAt() != null) ? toDatabaseTime(job.runAt()) : null, timeSqlType());
		ps.setLong(index++, job.delayMillis());
		ps.setInt(index++, job.maxAttempts());
		ps.setString(index++, job.uniqueKey());
		setNullableLong(ps, index++, job.parentId());
		ps.setString(index++, job.orderingKey());
		setNullableLong(ps, index++, job.retentionMillis());
		return index;
	}

	/** The JDBC type used to bind a null time. */
	protected int timeSqlType() {
		return java.sql.Types.TIMESTAMP_WITH_TIMEZONE;
	}

	private int initialState(NewJob job) {
		if (job.parentId() == null) {
			return READY;
		}
		Integer parentState = this.jdbc.query("SELECT state FROM " + this.table + " WHERE id = ?",
				(rs) -> rs.next() ? rs.getInt(1) : null, job.parentId());
		if (parentState == null) {
			throw new IllegalArgumentException("Parent job " + job.parentId() + " does not exist");
		}
		if (parentState == SUCCEEDED) {
			return READY;
		}
		if (parentState == DEAD || parentState == CANCELLED) {
			throw new IllegalArgumentException("Parent job " + job.parentId() + " is "
					+ JobState.ofCode(parentState) + ": a child of it would never run");
		}
		return WAITING;
	}

	protected long insertReturningId(NewJob job) {
		return insertReturningId(job.bare() ? this.bareInsertReturningIdSql.get() : this.insertReturningIdSql.get(), job);
	}

	/**
	 * Runs {@code sql}, an insert of {@code job} in the form {@link #bindInsertOf} binds that returns
	 * one row with the new id first.
	 * @param trailing the parameters after the job's
	 */
	protected long insertReturningId(String sql, NewJob job, Object... trailing) {
		Long id = insertReturning(sql, job, trailing);
		if (id == null) {
			throw new IllegalStateException("The insert of a job of type '" + job.type() + "' returned no id");
		}
		return id;
	}

	/**
	 * Runs a single-row insert that returns the new id as its result (not through generated keys,
	 * whose holder builds a map per row): the id, or {@code null} when no row was inserted.
	 */
	private Long insertReturning(String sql, NewJob job, Object... trailing) {
		return this.jdbc.query((Connection con) -> {
			PreparedStatement ps = con.prepareStatement(sql);
			int index = bindInsertOf(ps, job);
			for (Object parameter : trailing) {
				ps.setObject(index++, parameter);
			}
			return ps;
		}, (ResultSet rs) -> rs.next() ? rs.getLong(1) : null);
	}

	/**
	 * Inserts jobs without unique keys in multi-row statements on the caller's connection.
	 * @return the ids, in the order of {@code jobs}
	 */
	public List<Long> jobInsertMany(List<NewJob> jobs) {
		return inChunks(jobs, rowsPerInsertStatement(), this::insertChunk);
	}

	/**
	 * How many jobs {@link #jobInsertMany} inserts in one statement, which is atomic without a
	 * transaction around it.
	 */
	public int rowsPerInsertStatement() {
		return 500;
	}

	/** {@code insert} applied to consecutive pieces of at most {@code size} jobs; the ids in order. */
	protected static List<Long> inChunks(List<NewJob> jobs, int size, Function<List<NewJob>, List<Long>> insert) {
		List<Long> ids = new ArrayList<>(jobs.size());
		for (int from = 0; from < jobs.size(); from += size) {
			ids.addAll(insert.apply(jobs.subList(from, Math.min(jobs.size(), from + size))));
		}
		return ids;
	}

	/** Inserts one chunk, returning ids in input order. */
	protected List<Long> insertChunk(List<NewJob> jobs) {
		String values = String.join(", ", java.util.Collections.nCopies(jobs.size(), insertValues()));
		String sql = returningIdsSql("INSERT INTO " + this.table + " (" + INSERT_COLUMNS + ") VALUES " + values);
		List<Long> ids = this.jdbc.query((Connection con) -> {
			PreparedStatement ps = con.prepareStatement(sql);
			int index = 1;
			for (NewJob job : jobs) {
				index = bindInsert(ps, index, job);
			}
			return ps;
		}, (rs, row) -> rs.getLong(1));
		// identities grow in insertion order within one statement
		ids.sort(Comparator.naturalOrder());
		return ids;
	}

	/** Wraps an insert of one row or many so that it returns the new ids as its result set. */
	protected abstract String returningIdsSql(String insert);

	/** The id of the active job holding {@code uniqueKey}. */
	public Optional<Long> jobFindActiveByUniqueKey(String uniqueKey) {
		List<Long> ids = this.jdbc.queryForList("SELECT id FROM " + this.table
				+ " WHERE unique_key = ? AND state IN (0, 1, 5)", Long.class, uniqueKey);
		return ids.stream().findFirst();
	}

	// ---- claim -------------------------------------------------------------------------

	/**
	 * Claims up to {@code limit} due jobs of {@code queue} in one statement (or one transaction):
	 * RUNNING, attempt + 1, leased until now + {@code lease}. Returned in claim order.
	 */
	public List<Job> jobClaim(String queue, int limit, Duration lease, String workerId) {
		List<Job> jobs = claim(queue, limit, lease.toMillis(), workerId);
		if (jobs.size() > 1) {
			jobs = new ArrayList<>(jobs);
			jobs.sort(Comparator.comparingInt(Job::priority).reversed()
				.thenComparing(Job::runAt)
				.thenComparingLong(Job::id));
		}
		return jobs;
	}

	protected abstract List<Job> claim(String queue, int limit, long leaseMillis, String workerId);

	/** SQL selecting the ids of due jobs of a queue ({@code queue}, {@code limit} parameters). */
	protected String dueIdsSql() {
		return "SELECT id FROM " + this.table + " WHERE queue = ? AND state = 0 AND run_at <= " + now()
				+ " ORDER BY priority DESC, run_at, id LIMIT ?";
	}

	/** The SET clause of a claim ({@code lease millis}, {@code worker} parameters). */
	protected String claimSet() {
		return "state = 1, attempt = attempt + 1, locked_until = " + nowPlusParam()
				+ ", locked_by = ?, cancel_requested = FALSE";
	}

	/** Runs {@code work} in a read-committed transaction, joining one already active. */
	public <T> T inTransaction(java.util.function.Supplier<T> work) {
		return this.newTransaction.execute((status) -> work.get());
	}

	// ---- FIFO claim --------------------------------------------------------------------

	/**
	 * Claims up to {@code limit} jobs of a FIFO queue: only the oldest unfinished job of each
	 * ordering key (of the whole queue for jobs without one), and only when none of that key is
	 * running. Claims of one FIFO queue are serialized by a lock row, across all nodes.
	 */
	public List<Job> jobClaimFifo(String queue, int limit, Duration lease, String workerId) {
		return inTransaction(() -> {
			this.jdbc.query("SELECT queue FROM " + tablePrefix() + "queue_lock WHERE queue = ? FOR UPDATE", (rs) -> {
			}, queue);
			List<Long> ids = this.jdbc.queryForList(fifoHeadsSql(), Long.class, queue, queue, limit);
			if (ids.isEmpty()) {
				return List.of();
			}
			Object[] args = new Object[ids.size() + 2];
			args[0] = lease.toMillis();
			args[1] = workerId;
			for (int i = 0; i < ids.size(); i++) {
				args[i + 2] = ids.get(i);
			}
			String in = placeholders(ids.size());
			this.jdbc.update("UPDATE " + this.table + " SET " + claimSet() + " WHERE state = 0 AND id IN (" + in + ")",
					args);
			List<Job> jobs = new ArrayList<>(this.jdbc.query("SELECT " + COLUMNS + " FROM " + this.table
					+ " WHERE state = 1 AND id IN (" + in + ")", jobRowMapper(), ids.toArray()));
			jobs.sort(Comparator.comparingLong(Job::id));
			return jobs;
		});
	}

	/**
	 * SQL selecting the claimable heads of a FIFO queue: a due READY job that is the oldest READY or
	 * RUNNING job of its ordering key (jobs without one form one group), in a key with no job
	 * RUNNING. Parameters: the queue twice, then the limit.
	 *
	 * <p>One grouped pass over the queue's READY jobs (through the claim index) and its RUNNING ones
	 * (through the lease index) finds, per key, the oldest id and whether any is running; the
	 * keys are never compared row by row. An earlier form asked, for each READY job, whether an
	 * older one of its key existed; compared null-safely, the keys could not be hashed, and with
	 * 20,000 jobs queued on PostgreSQL the statement compared 100 million pairs and took 13 s. Its
	 * successor read a FIFO index of every READY and RUNNING row, which every enqueue and claim of
	 * every queue paid for; PostgreSQL's schema no longer has that index.
	 */
	protected String fifoHeadsSql() {
		return "SELECT j.id FROM " + this.table + " j JOIN (SELECT MIN(h.id) AS id FROM (SELECT id, ordering_key,"
				+ " 0 AS running FROM " + this.table + " WHERE queue = ? AND state = 0 UNION ALL SELECT id,"
				+ " ordering_key, 1 AS running FROM " + this.table + " WHERE queue = ? AND state = 1) h"
				+ " GROUP BY h.ordering_key HAVING MAX(h.running) = 0) heads ON heads.id = j.id"
				+ " WHERE j.run_at <= " + now() + " ORDER BY j.id LIMIT ?";
	}

	/** Makes sure the lock row of FIFO queue {@code queue} exists. */
	public void queueLockEnsure(String queue) {
		try {
			this.jdbc.update("INSERT INTO " + tablePrefix() + "queue_lock (queue) VALUES (?)", queue);
		}
		catch (DuplicateKeyException ex) {
			// another node created it
		}
	}

	// ---- recurring schedules -----------------------------------------------------------

	/** A schedule's stored state. */
	public record RecurringRow(String cron, String zone, Instant nextRunAt, Instant now) {
	}

	/** The stored state of schedule {@code name}, with the database's current time. */
	public Optional<RecurringRow> recurringGet(String name) {
		return this.jdbc.query("SELECT cron, zone, next_run_at, " + now() + " AS now_ FROM " + tablePrefix()
				+ "recurring WHERE name = ?", (rs, row) -> new RecurringRow(rs.getString(1), rs.getString(2),
						readTime(rs, "next_run_at"), readTime(rs, "now_")), name)
			.stream()
			.findFirst();
	}

	/** The database's current time. */
	public Instant databaseNow() {
		return this.jdbc.query("SELECT " + now() + " AS now_", (rs, row) -> readTime(rs, "now_")).get(0);
	}

	/** Stores a new schedule; does nothing when another node stored it first. */
	public void recurringInsert(String name, String cron, String zone, Instant nextRunAt) {
		try {
			this.jdbc.update("INSERT INTO " + tablePrefix() + "recurring (name, cron, zone, next_run_at) VALUES (?, ?, ?, "
					+ timeParam() + ")", name, cron, zone, toDatabaseTime(nextRunAt));
		}
		catch (DuplicateKeyException ex) {
			// another node stored it
		}
	}

	/**
	 * Moves schedule {@code name} from tick {@code expected} to {@code next}, and its cron and zone
	 * with it, if no other node did so first.
	 * @return whether this call moved it
	 */
	public boolean recurringAdvance(String name, Instant expected, Instant next, String cron, String zone,
			Long jobId) {
		return this.jdbc.update("UPDATE " + tablePrefix() + "recurring SET next_run_at = " + timeParam()
				+ ", cron = ?, zone = ?, last_job_id = COALESCE(?, last_job_id) WHERE name = ? AND next_run_at = "
				+ timeParam(), toDatabaseTime(next), cron, zone, jobId, name, toDatabaseTime(expected)) == 1;
	}

	/** Records the job enqueued for the tick just taken. */
	public void recurringSetLastJob(String name, long jobId) {
		this.jdbc.update("UPDATE " + tablePrefix() + "recurring SET last_job_id = ? WHERE name = ?", jobId, name);
	}

	// ---- outcomes ----------------------------------------------------------------------

	/**
	 * RUNNING → SUCCEEDED for many runs, each guarded by its attempt; children waiting for them
	 * become READY in the same transaction.
	 * @return the ids that were changed; the others had lost their lease
	 */
	public Set<Long> jobSetSucceededMany(List<Completion> completions) {
		return inTransaction(() -> {
			String sql = "UPDATE " + this.table + " SET state = 2, finished_at = " + now()
					+ ", locked_until = NULL, locked_by = NULL, result = " + jsonParam()
					+ ", logs = COALESCE(?, logs) WHERE id = ? AND attempt = ? AND state = 1";
			int[] counts = this.jdbc.batchUpdate(sql, completions, completions.size(), (PreparedStatement ps, Completion c) -> {
				ps.setString(1, c.result());
				ps.setString(2, c.logs());
				ps.setLong(3, c.ref().id());
				ps.setInt(4, c.ref().attempt());
			})[0];
			Set<Long> done = new HashSet<>();
			boolean unknown = false;
			for (int i = 0; i < counts.length; i++) {
				if (counts[i] > 0) {
					done.add(completions.get(i).ref().id());
				}
				else if (counts[i] == Statement.SUCCESS_NO_INFO) {
					unknown = true;
				}
			}
			if (unknown) {
				done = jobFilterInState(completions.stream().map(Completion::ref).toList(), JobState.SUCCEEDED);
			}
			if (!done.isEmpty()) {
				jobPromoteChildren(done);
			}
			return done;
		});
	}

	/** The runs of {@code refs} that are in {@code state} with that attempt. */
	protected Set<Long> jobFilterInState(List<JobRef> refs, JobState state) {
		Map<Long, Integer> attempts = refs.stream().collect(Collectors.toMap(JobRef::id, JobRef::attempt, (a, b) -> a));
		Set<Long> result = new HashSet<>();
		this.jdbc.query("SELECT id, attempt FROM " + this.table + " WHERE state = " + state.code() + " AND id IN ("
				+ placeholders(refs.size()) + ")", (rs) -> {
					long id = rs.getLong(1);
					if (attempts.get(id) == rs.getInt(2)) {
						result.add(id);
					}
				}, refs.stream().map(JobRef::id).toArray());
		return result;
	}

	/** WAITING children of {@code parentIds} become READY. */
	protected void jobPromoteChildren(Collection<Long> parentIds) {
		this.jdbc.update("UPDATE " + this.table + " SET state = 0, run_at = " + now() + " WHERE state = 5 AND parent_id IN ("
				+ placeholders(parentIds.size()) + ")", parentIds.toArray());
	}

	/** RUNNING → READY after {@code delay}, keeping the error. */
	public boolean jobSetRetryIfRunning(JobRef ref, Duration delay, String error, String logs) {
		return this.jdbc.update("UPDATE " + this.table + " SET state = 0, run_at = " + nowPlusParam()
				+ ", locked_until = NULL, locked_by = NULL, last_error = ?, logs = COALESCE(?, logs)"
				+ " WHERE id = ? AND attempt = ? AND state = 1", delay.toMillis(), error, logs, ref.id(),
				ref.attempt()) == 1;
	}

	/** RUNNING → DEAD with the reason. */
	public boolean jobSetDeadIfRunning(JobRef ref, String error, String logs) {
		return finishRunning(ref, DEAD, error, logs);
	}

	/** RUNNING → CANCELLED with the reason. */
	public boolean jobSetCancelledIfRunning(JobRef ref, String reason, String logs) {
		return finishRunning(ref, CANCELLED, reason, logs);
	}

	private boolean finishRunning(JobRef ref, int state, String error, String logs) {
		return endWithChildren(ref.id(), JobState.ofCode(state), "UPDATE " + this.table + " SET state = " + state
				+ ", finished_at = " + now() + ", locked_until = NULL, locked_by = NULL, last_error = ?,"
				+ " logs = COALESCE(?, logs) WHERE id = ? AND attempt = ? AND state = 1", error, logs, ref.id(),
				ref.attempt());
	}

	/**
	 * Runs {@code sql}, which ends job {@code id} in {@code ended} (not SUCCEEDED), and in the same
	 * transaction cancels the children that waited for it.
	 * @return whether the statement changed the job
	 */
	private boolean endWithChildren(long id, JobState ended, String sql, Object... args) {
		return inTransaction(() -> {
			boolean changed = this.jdbc.update(sql, args) == 1;
			if (changed) {
				jobCancelWaitingChildren(id, ended);
			}
			return changed;
		});
	}

	/**
	 * Cancels the WAITING children of a parent that ended without succeeding, and theirs in turn,
	 * each with a reason naming its parent. Run in the transaction that finished the parent so that
	 * no child is left waiting for a parent that will never succeed.
	 */
	protected void jobCancelWaitingChildren(long parentId, JobState parentState) {
		List<Long> children = this.jdbc.queryForList("SELECT id FROM " + this.table
				+ " WHERE state = 5 AND parent_id = ?", Long.class, parentId);
		for (long child : children) {
			int cancelled = this.jdbc.update("UPDATE " + this.table + " SET state = 4, finished_at = " + now()
					+ ", last_error = ? WHERE id = ? AND state = 5", parentEndedReason(parentId, parentState), child);
			if (cancelled == 1) {
				jobCancelWaitingChildren(child, JobState.CANCELLED);
			}
		}
	}

	private static String parentEndedReason(long parentId, JobState parentState) {
		String parent = "parent job " + parentId + ((parentState != null) ? " is " + parentState : " no longer exists");
		return "Cancelled: " + parent + ", so this job would never run";
	}

	/**
	 * RUNNING → READY at once, for runs a stopping worker gives back; the attempt still counts.
	 */
	public boolean jobReleaseIfRunning(JobRef ref, String reason) {
		return jobSetRetryIfRunning(ref, Duration.ZERO, reason, null);
	}

	/**
	 * Extends the leases of runs still owned.
	 * @return the runs still owned, with their cancellation flags
	 */
	public List<LeaseStatus> jobExtendLeases(List<JobRef> refs, Duration lease) {
		if (refs.isEmpty()) {
			return List.of();
		}
		this.jdbc.batchUpdate("UPDATE " + this.table + " SET locked_until = " + nowPlusParam()
				+ " WHERE id = ? AND attempt = ? AND state = 1", refs, refs.size(), (PreparedStatement ps, JobRef ref) -> {
					ps.setLong(1, lease.toMillis());
					ps.setLong(2, ref.id());
					ps.setInt(3, ref.attempt());
				});
		Set<JobRef> asked = new HashSet<>(refs);
		List<LeaseStatus> result = new ArrayList<>();
		this.jdbc.query("SELECT id, attempt, cancel_requested FROM " + this.table + " WHERE state = 1 AND id IN ("
				+ placeholders(refs.size()) + ")", (rs) -> {
					LeaseStatus status = new LeaseStatus(rs.getLong(1), rs.getInt(2), rs.getBoolean(3));
					if (asked.contains(status.ref())) {
						result.add(status);
					}
				}, refs.stream().map(JobRef::id).toArray());
		return result;
	}

	// ---- maintenance -------------------------------------------------------------------

	/**
	 * Runs whose lease expired: back to READY, or to DEAD when out of attempts.
	 * @return how many were rescued
	 */
	public int jobRescueExpired() {
		String expired = " WHERE state = 1 AND locked_until < " + now();
		int dead = this.jdbc.update("UPDATE " + this.table + " SET state = 3, finished_at = " + now()
				+ ", locked_until = NULL, locked_by = NULL, last_error = ?" + expired
				+ " AND max_attempts <> -1 AND attempt >= max_attempts",
				"Lease expired on its last attempt: the worker stopped heartbeating (crashed, paused or lost the database)");
		int ready = this.jdbc.update("UPDATE " + this.table + " SET state = 0, run_at = " + now()
				+ ", locked_until = NULL, locked_by = NULL, last_error = ?" + expired,
				"Lease expired: the worker stopped heartbeating (crashed, paused or lost the database)");
		return dead + ready;
	}

	/**
	 * WAITING jobs whose parent succeeded become READY; those whose parent is dead, cancelled or
	 * gone are cancelled with a reason. Catches what completion could not (a child enqueued while
	 * its parent was finishing).
	 * @return how many jobs changed
	 */
	public int jobResolveWaiting() {
		List<long[]> waiting = this.jdbc.query("SELECT c.id, p.state, c.parent_id FROM " + this.table + " c LEFT JOIN "
				+ this.table + " p ON p.id = c.parent_id WHERE c.state = 5 AND (p.id IS NULL OR p.state IN (2, 3, 4))",
				(rs, row) -> new long[] { rs.getLong(1), rs.getObject(2) != null ? rs.getLong(2) : -1, rs.getLong(3) });
		int changed = 0;
		for (long[] row : waiting) {
			if (row[1] == SUCCEEDED) {
				changed += this.jdbc.update("UPDATE " + this.table + " SET state = 0, run_at = " + now()
						+ " WHERE id = ? AND state = 5", row[0]);
			}
			else {
				String reason = parentEndedReason(row[2], (row[1] == -1) ? null : JobState.ofCode((int) row[1]));
				changed += this.jdbc.update("UPDATE " + this.table + " SET state = 4, finished_at = " + now()
						+ ", last_error = ? WHERE id = ? AND state = 5", reason, row[0]);
			}
		}
		return changed;
	}

	/**
	 * Deletes up to {@code limit} jobs in the finished {@code state} older than their retention:
	 * their own when they have one, else {@code defaultRetention}.
	 * @return how many were deleted
	 */
	public int jobDeleteExpired(JobState state, Duration defaultRetention, int limit) {
		String where = "state = " + state.code() + " AND ((retention_ms IS NULL AND finished_at < "
				+ plusMillis(now(), "?") + ") OR (retention_ms IS NOT NULL AND "
				+ plusMillis("finished_at", "retention_ms") + " < " + now() + "))";
		return deleteLimited(where, limit, -defaultRetention.toMillis());
	}

	/**
	 * Deletes up to {@code limit} jobs in {@code state} that finished more than {@code olderThan} ago.
	 * @return how many were deleted
	 */
	public int jobDeleteFinished(JobState state, Duration olderThan, int limit) {
		return deleteLimited("state = " + state.code() + " AND finished_at < " + plusMillis(now(), "?"), limit,
				-olderThan.toMillis());
	}

	/** Deletes at most {@code limit} rows matching {@code where}. */
	protected int deleteLimited(String where, int limit, Object... args) {
		Object[] all = java.util.Arrays.copyOf(args, args.length + 1);
		all[args.length] = limit;
		return this.jdbc.update("DELETE FROM " + this.table + " WHERE id IN (SELECT id FROM " + this.table + " WHERE "
				+ where + " ORDER BY id LIMIT ?)", all);
	}

	// ---- inspection and administration ---------------------------------------------------

	public Optional<Job> jobGet(long id) {
		return this.jdbc.query("SELECT " + COLUMNS + " FROM " + this.table + " WHERE id = ?", jobRowMapper(), id)
			.stream()
			.findFirst();
	}

	public List<Job> jobList(JobQuery query) {
		StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM " + this.table + " WHERE id > ?");
		List<Object> args = new ArrayList<>();
		args.add(query.afterId());
		if (query.state() != null) {
			sql.append(" AND state = ?");
			args.add(query.state().code());
		}
		if (query.queue() != null) {
			sql.append(" AND queue = ?");
			args.add(query.queue());
		}
		if (query.type() != null) {
			sql.append(" AND type = ?");
			args.add(query.type());
		}
		sql.append(" ORDER BY id LIMIT ?");
		args.add(query.limit());
		return this.jdbc.query(sql.toString(), jobRowMapper(), args.toArray());
	}

	public long jobCount(String queue, JobState state) {
		StringBuilder sql = new StringBuilder("SELECT COUNT(*) FROM " + this.table + " WHERE 1 = 1");
		List<Object> args = new ArrayList<>();
		if (state != null) {
			sql.append(" AND state = ?");
			args.add(state.code());
		}
		if (queue != null) {
			sql.append(" AND queue = ?");
			args.add(queue);
		}
		Long count = this.jdbc.queryForObject(sql.toString(), Long.class, args.toArray());
		return (count != null) ? count : 0;
	}

	public Map<String, Map<JobState, Long>> jobCountByQueueAndState() {
		Map<String, Map<JobState, Long>> counts = new LinkedHashMap<>();
		this.jdbc.query("SELECT queue, state, COUNT(*) FROM " + this.table + " GROUP BY queue, state ORDER BY queue",
				(rs) -> {
					counts.computeIfAbsent(rs.getString(1), (q) -> new EnumMap<>(JobState.class))
						.put(JobState.ofCode(rs.getInt(2)), rs.getLong(3));
				});
		return counts;
	}

	/** Per queue, how long its oldest due READY job has been waiting (database clock). */
	public Map<String, Duration> jobOldestDueAge() {
		Map<String, Duration> ages = new LinkedHashMap<>();
		this.jdbc.query("SELECT queue, MIN(run_at) AS oldest, MAX(" + now() + ") AS now_ FROM " + this.table
				+ " WHERE state = 0 AND run_at <= " + now() + " GROUP BY queue", (rs) -> {
					Instant oldest = readTime(rs, "oldest");
					Instant now = readTime(rs, "now_");
					ages.put(rs.getString(1), Duration.between(oldest, now).isNegative() ? Duration.ZERO
							: Duration.between(oldest, now));
				});
		return ages;
	}

	/** READY or WAITING → CANCELLED; RUNNING gets its cancellation requested. */
	public boolean jobCancel(long id) {
		if (endWithChildren(id, JobState.CANCELLED, "UPDATE " + this.table + " SET state = 4, finished_at = " + now()
				+ ", last_error = ? WHERE id = ? AND state IN (0, 5)", "Cancelled", id)) {
			return true;
		}
		return this.jdbc.update("UPDATE " + this.table + " SET cancel_requested = TRUE WHERE id = ? AND state = 1",
				id) == 1;
	}

	/** READY, WAITING or RUNNING → DEAD with the reason. */
	public boolean jobKill(long id, String reason) {
		return endWithChildren(id, JobState.DEAD, "UPDATE " + this.table + " SET state = 3, finished_at = " + now()
				+ ", locked_until = NULL, locked_by = NULL, last_error = ? WHERE id = ? AND state IN (0, 1, 5)",
				reason, id);
	}

	/**
	 * DEAD → READY with a fresh set of attempts, unless another active job holds its unique key. The
	 * attempt counter keeps growing, so a run that lost its lease long ago can never match the fencing
	 * token of a new run.
	 */
	public boolean jobRetryDead(long id) {
		return this.jdbc.update(retryDeadSql() + " AND id = ?", id) == 1;
	}

	/** Every DEAD job of {@code queue} → READY. */
	public int jobRetryDeadInQueue(String queue) {
		return this.jdbc.update(retryDeadSql() + " AND queue = ?", queue);
	}

	private String retryDeadSql() {
		// a dead job whose unique key another job took meanwhile stays dead: replaying it would break
		// the key's promise (and the unique index); the derived table lets MariaDB read the table it updates
		return "UPDATE " + this.table + " SET state = 0, run_at = " + now() + ", finished_at = NULL, "
				+ "max_attempts = CASE WHEN max_attempts = -1 THEN -1 ELSE attempt + max_attempts END WHERE state = 3"
				+ " AND (unique_key IS NULL OR NOT EXISTS (SELECT 1 FROM (SELECT unique_key FROM " + this.table
				+ " WHERE unique_key IS NOT NULL AND state IN (0, 1, 5)) held WHERE held.unique_key = " + this.table
				+ ".unique_key))";
	}

	// ---- rows --------------------------------------------------------------------------

	/** Maps {@link #COLUMNS} to a {@link Job}. */
	public RowMapper<Job> jobRowMapper() {
		return (rs, row) -> new Job(rs.getLong("id"), rs.getString("queue"), rs.getString("type"),
				rs.getString("payload"), JsonText.readMap(rs.getString("metadata")),
				JobState.ofCode(rs.getInt("state")), rs.getInt("priority"), readTime(rs, "run_at"),
				rs.getInt("attempt"), rs.getInt("max_attempts"), readTime(rs, "locked_until"),
				rs.getString("locked_by"), rs.getString("unique_key"), rs.getString("last_error"),
				readTime(rs, "created_at"), readTime(rs, "finished_at"), nullableLong(rs, "parent_id"),
				rs.getString("ordering_key"), rs.getString("result"), JsonText.readList(rs.getString("logs")));
	}

	protected static Long nullableLong(ResultSet rs, String column) throws SQLException {
		long value = rs.getLong(column);
		return rs.wasNull() ? null : value;
	}

	protected static void setNullableLong(PreparedStatement ps, int index, Long value) throws SQLException {
		if (value == null) {
			ps.setNull(index, java.sql.Types.BIGINT);
		}
		else {
			ps.setLong(index, value);
		}
	}

	protected static String placeholders(int count) {
		return String.join(", ", java.util.Collections.nCopies(count, "?"));
	}

}
