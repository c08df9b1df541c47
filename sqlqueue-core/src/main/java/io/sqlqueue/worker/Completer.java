package io.sqlqueue.worker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.JobRequest;
import io.sqlqueue.dialect.Completion;
import io.sqlqueue.dialect.Dialect;

/**
 * Writes successful runs in batches, off the handler threads: whatever finished while the previous
 * batch was being written goes in the next statement. A database outage holds outcomes here and
 * retries them; outcomes whose lease ran out meanwhile are rejected by the fencing guard.
 */
final class Completer {

	private static final Logger logger = LoggerFactory.getLogger(Completer.class);

	private static final int MAX_BATCH = 1000;

	/** A successful run waiting to be recorded. */
	record Pending(RunningJob run, QueueWorker owner) {
	}

	private final JdbcJobQueue queue;

	private final Dialect dialect;

	private final DatabaseRetry retry;

	private final HealthTracker health;

	private final LinkedBlockingQueue<Pending> pending = new LinkedBlockingQueue<>();

	private final Thread thread;

	private volatile boolean stopping;

	private volatile long deadlineNanos = Long.MAX_VALUE;

	Completer(JdbcJobQueue queue, DatabaseRetry retry, HealthTracker health, String name) {
		this.queue = queue;
		this.dialect = queue.dialect();
		this.retry = retry;
		this.health = health;
		this.thread = new Thread(this::run, name);
		this.thread.setDaemon(true);
	}

	void start() {
		this.thread.start();
	}

	void submit(RunningJob run, QueueWorker owner) {
		this.pending.add(new Pending(run, owner));
	}

	int backlog() {
		return this.pending.size();
	}

	private void run() {
		List<Pending> batch = new ArrayList<>();
		while (true) {
			try {
				if (batch.isEmpty()) {
					Pending first = this.pending.poll(50, TimeUnit.MILLISECONDS);
					if (first == null) {
						if (this.stopping) {
							return;
						}
						continue;
					}
					batch.add(first);
				}
				this.pending.drainTo(batch, MAX_BATCH - batch.size());
				if (flush(batch)) {
					batch.clear();
				}
				else if (this.stopping && System.nanoTime() > this.deadlineNanos) {
					logger.error("sqlqueue could not record {} successful runs before shutdown: the database is"
							+ " unreachable. Their leases will expire and they will run again.", batch.size());
					return;
				}
				else {
					Thread.sleep(1000);
				}
			}
			catch (InterruptedException ex) {
				if (this.stopping && this.pending.isEmpty() && batch.isEmpty()) {
					return;
				}
			}
		}
	}

	private boolean flush(List<Pending> batch) {
		List<Completion> completions = new ArrayList<>(batch.size());
		for (Pending p : batch) {
			completions.add(new Completion(p.run().ref, p.run().resultJson(), p.run().logsJson()));
		}
		Set<Long> done;
		try {
			done = this.retry.call(() -> write(batch, completions));
			this.health.success();
		}
		catch (RuntimeException ex) {
			if (!DatabaseRetry.isTransient(ex) && hasFollowUps(batch)) {
				return isolateFollowUpFailures(batch, ex);
			}
			this.health.failure(ex);
			logger.warn("sqlqueue could not record {} successful runs yet: {}", batch.size(), ex.getMessage());
			return false;
		}
		for (Pending p : batch) {
			p.owner().recorded(p.run(), done.contains(p.run().ref.id()));
		}
		return true;
	}

	private static boolean hasFollowUps(List<Pending> batch) {
		return batch.stream().anyMatch((p) -> !p.run().followUps().isEmpty());
	}

	/**
	 * A batch with follow-up jobs failed for a reason retrying will not cure (a follow-up the queue
	 * refuses): writes its runs one by one, and dead-letters each run whose own follow-ups are
	 * refused, so that one bad follow-up holds back no other success.
	 * @return whether every run of the batch is dealt with; those that are not stay in it
	 */
	private boolean isolateFollowUpFailures(List<Pending> batch, RuntimeException failure) {
		if (batch.size() > 1) {
			batch.removeIf((p) -> flush(new ArrayList<>(List.of(p))));
			return batch.isEmpty();
		}
		Pending refused = batch.get(0);
		logger.warn("sqlqueue could not enqueue the follow-up jobs of {}: {}", refused.run(), failure.getMessage());
		refused.owner().followUpsRefused(refused.run(), failure);
		return true;
	}

	private Set<Long> write(List<Pending> batch, List<Completion> completions) {
		boolean followUps = hasFollowUps(batch);
		if (!followUps) {
			return this.dialect.jobSetSucceededMany(completions);
		}
		// follow-up jobs exist if and only if their parent is recorded SUCCEEDED: one transaction
		return this.dialect.inTransaction(() -> {
			Set<Long> done = this.dialect.jobSetSucceededMany(completions);
			List<JobRequest> requests = new ArrayList<>();
			for (Pending p : batch) {
				if (done.contains(p.run().ref.id())) {
					requests.addAll(p.run().followUps());
				}
			}
			if (!requests.isEmpty()) {
				this.queue.enqueueAll(requests);
			}
			return done;
		});
	}

	/** Writes what is pending, waiting up to {@code timeout}, then stops. */
	void stop(Duration timeout) {
		this.deadlineNanos = System.nanoTime() + timeout.toNanos();
		this.stopping = true;
		try {
			this.thread.join(Math.max(1, timeout.toMillis()));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
