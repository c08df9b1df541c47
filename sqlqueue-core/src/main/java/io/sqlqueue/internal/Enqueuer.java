package io.sqlqueue.internal;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import io.sqlqueue.DuplicateJobException;
import io.sqlqueue.EnqueueOptions;
import io.sqlqueue.JobInterceptor;
import io.sqlqueue.JobInterceptor.EnqueueChain;
import io.sqlqueue.JobQueue;
import io.sqlqueue.JobRequest;
import io.sqlqueue.internal.notify.NotificationSender;
import io.sqlqueue.internal.store.InsertResult;
import io.sqlqueue.internal.store.JsonText;
import io.sqlqueue.internal.store.NewJob;

/**
 * The path of an enqueue: through the interceptors, resolved to rows (type, queue, attempts, payload JSON
 * within its size limit), inserted on the caller's connection, and, once committed, counted and announced:
 * workers in this JVM woken directly, other processes notified on PostgreSQL.
 */
public final class Enqueuer {

	private final QueueServices services;

	Enqueuer(QueueServices services) {
		this.services = services;
	}

	/** Enqueues {@code requests}; {@code single} for one {@code enqueue} call (unique-key policy, inline notify). */
	public List<Long> enqueue(List<JobRequest> requests, boolean single) {
		return enqueue(requests, single, null);
	}

	/**
	 * Enqueues {@code requests} into a batch or workflow, {@code memberships[i]} giving the place of
	 * {@code requests[i]}: interceptors may change the requests but not their number.
	 */
	public List<Long> enqueueInGroup(List<JobRequest> requests, List<NewJob.Membership> memberships) {
		return enqueue(requests, false, memberships);
	}

	private List<Long> enqueue(List<JobRequest> requests, boolean single, List<NewJob.Membership> memberships) {
		for (int i = 0; i < requests.size(); i++) {
			Objects.requireNonNull(requests.get(i), "requests[" + i + "] must not be null");
		}
		EnqueueChain chain = (jobs) -> {
			if (memberships != null && jobs.size() != memberships.size()) {
				throw new IllegalStateException("An interceptor changed the number of jobs enqueued into a batch or"
						+ " workflow from " + memberships.size() + " to " + jobs.size());
			}
			return insertSayingWhyNoConnection(jobs, single, memberships);
		};
		List<JobInterceptor> interceptors = this.services.interceptors();
		for (int i = interceptors.size() - 1; i >= 0; i--) {
			JobInterceptor interceptor = interceptors.get(i);
			EnqueueChain next = chain;
			chain = (jobs) -> interceptor.aroundEnqueue(jobs, next);
		}
		return chain.proceed(requests);
	}

	/**
	 * {@link #insert}, its failure to get a connection told in words an operator can act on: Spring's own
	 * message ("Failed to obtain JDBC Connection") hides the pool's, which says how long it waited and how many
	 * connections were in use. Still the same exception type, so that callers catching it are unaffected.
	 */
	private List<Long> insertSayingWhyNoConnection(List<JobRequest> requests, boolean single,
			List<NewJob.Membership> memberships) {
		try {
			return insert(requests, single, memberships);
		}
		catch (CannotGetJdbcConnectionException ex) {
			throw new CannotGetJdbcConnectionException(noConnection(requests, ex),
					(ex.getCause() instanceof SQLException sql) ? sql : null);
		}
		catch (CannotCreateTransactionException ex) {
			throw new CannotCreateTransactionException(noConnection(requests, ex), ex.getCause());
		}
	}

	private static String noConnection(List<JobRequest> requests, RuntimeException ex) {
		Throwable cause = (ex.getCause() != null) ? ex.getCause() : ex;
		return "sqlqueue could not enqueue " + requests.size() + ((requests.size() == 1) ? " job" : " jobs")
				+ " (nothing was written): no connection from the DataSource within its connection timeout: "
				+ cause.getMessage() + ". Every connection of the pool is in use: a larger pool, shorter transactions,"
				+ " or a separate pool for the sqlqueue worker.";
	}

	private List<Long> insert(List<JobRequest> requests, boolean single, List<NewJob.Membership> memberships) {
		List<NewJob> rows = new ArrayList<>(requests.size());
		for (int i = 0; i < requests.size(); i++) {
			NewJob row = resolve(Objects.requireNonNull(requests.get(i), "a request must not be null"));
			rows.add((memberships != null) ? row.in(memberships.get(i)) : row);
		}
		List<Long> ids;
		boolean notified = false;
		if (single && notifiesInline(rows.get(0))) {
			NotificationSender sender = this.services.notifications();
			try {
				ids = List.of(this.services.store().jobInsertNotifying(rows.get(0), sender.channel(),
						sender.payload(rows.get(0).queue())));
			}
			finally {
				sender.inlineDone();
			}
			notified = true;
		}
		else if (single) {
			ids = List.of(insertOne(rows.get(0), requests.get(0).options()));
		}
		else if (plain(rows) && rows.size() <= this.services.store().jobInsertManyMaxRows()) {
			// one statement is atomic by itself: no transaction to begin and commit around it
			ids = this.services.store().jobInsertMany(rows);
		}
		else {
			ids = this.services.store().inTransaction(() -> insertMany(rows, requests));
		}
		Set<String> dueQueues = new LinkedHashSet<>();
		for (NewJob row : rows) {
			if (row.dueNow()) {
				dueQueues.add(row.queue());
			}
		}
		boolean notifiedInline = notified;
		afterCommit(() -> {
			for (NewJob row : rows) {
				this.services.events().jobEnqueued(row.queue(), row.type());
			}
			if (!dueQueues.isEmpty()) {
				announce(dueQueues, notifiedInline);
			}
		});
		return ids;
	}

	/**
	 * Whether {@code row} is inserted together with its notification, which PostgreSQL then sends as the insert
	 * commits, a round trip and a thread hand-off sooner than the sender could: only for a job due now, outside
	 * any transaction of the caller's, and only while this queue object is otherwise quiet
	 * ({@link NotificationSender#tryInline}). Under load the sender's coalesced notifications are cheaper, since
	 * a notifying commit holds a lock that other notifying commits wait for until its WAL is flushed.
	 */
	private boolean notifiesInline(NewJob row) {
		NotificationSender sender = this.services.notifications();
		return sender != null && row.dueNow() && row.uniqueKey() == null
				&& !TransactionSynchronizationManager.isActualTransactionActive() && sender.tryInline();
	}

	private long insertOne(NewJob row, EnqueueOptions options) {
		InsertResult result = this.services.store().jobInsert(row);
		if (!result.inserted() && options.uniquePolicy() == EnqueueOptions.UniquePolicy.REJECT) {
			throw new DuplicateJobException(row.uniqueKey(), result.id());
		}
		return result.id();
	}

	/** Whether no job of {@code rows} has a unique key or a parent, which the multi-row insert leaves out. */
	private static boolean plain(List<NewJob> rows) {
		return rows.stream().allMatch((row) -> row.uniqueKey() == null && row.parentId() == null);
	}

	private List<Long> insertMany(List<NewJob> rows, List<JobRequest> requests) {
		if (plain(rows)) {
			return this.services.store().jobInsertMany(rows);
		}
		List<Long> ids = new ArrayList<>(rows.size());
		for (int i = 0; i < rows.size(); i++) {
			ids.add(insertOne(rows.get(i), requests.get(i).options()));
		}
		return ids;
	}

	private NewJob resolve(JobRequest request) {
		String type = JobQueue.validateType(request.type());
		EnqueueOptions options = request.options();
		String queue = this.services.types().queueFor(type, options);
		String payload = this.services.codec().encode(request.payload());
		int limit = this.services.maxPayloadBytes();
		// a char takes at most 3 bytes of UTF-8: count them only for a payload that could be too large
		int bytes = (payload.length() * 3L <= limit) ? 0 : payload.getBytes(StandardCharsets.UTF_8).length;
		if (bytes > limit) {
			throw new IllegalArgumentException("Payload of job type '" + type + "' is " + bytes
					+ " bytes of JSON, over the limit of " + limit + " bytes");
		}
		long delay = (options.delay() != null) ? options.delay().toMillis() : 0;
		return new NewJob(queue, type, payload, JsonText.writeMap(options.metadata()), options.priority(), delay,
				options.runAt(), this.services.types().maxAttemptsFor(type, queue, options), options.uniqueKey(),
				options.parentId(), options.orderingKey(),
				(options.retention() != null) ? options.retention().toMillis() : null, options.concurrencyKey(),
				(options.uniqueFor() != null) ? options.uniqueFor().toMillis() : null, options.uniqueAmong());
	}

	/**
	 * Wakes the workers of {@code queues}, in this JVM and (on PostgreSQL) everywhere, once their jobs are
	 * committed: at once outside a Spring-managed transaction, after its commit inside one, never when it
	 * rolls back.
	 */
	public void wakeWhenCommitted(Set<String> queues) {
		afterCommit(() -> announce(queues, false));
	}

	private void announce(Set<String> queues, boolean notified) {
		NotificationSender sender = this.services.notifications();
		if (sender != null && !notified) {
			sender.send(queues);
		}
		queues.forEach(this.services.wakeups()::wake);
	}

	/** Runs {@code work} after the caller's Spring-managed transaction commits, or now outside one. */
	private static void afterCommit(Runnable work) {
		if (TransactionSynchronizationManager.isSynchronizationActive()) {
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
				@Override
				public void afterCommit() {
					work.run();
				}
			});
		}
		else {
			work.run();
		}
	}

}
