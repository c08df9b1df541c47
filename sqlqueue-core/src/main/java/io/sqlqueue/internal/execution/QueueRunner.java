package io.sqlqueue.internal.execution;

import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sqlqueue.codec.PayloadCodec;
import io.sqlqueue.internal.store.JobRef;
import io.sqlqueue.internal.store.StateChange;
import io.sqlqueue.worker.QueueSettings;

/**
 * One queue on this node: its {@link Producer} claims due jobs into free handler slots, its
 * {@link JobExecutor} runs them and hands each outcome to the node's completer, and its {@link LeaseKeeper}
 * keeps the leases of its runs. It knows every run it claimed until the run's outcome is settled.
 */
final class QueueRunner {

	private static final Logger logger = LoggerFactory.getLogger(QueueRunner.class);

	private final String name;

	private final QueueSettings settings;

	private final WorkerNode node;

	// keyed by run, not by job: a job whose lease this node lost can be claimed again by this node while its
	// first run still hangs, and each run must keep its own lease and outcome
	private final Map<JobRef, RunningJob> running = new ConcurrentHashMap<>();

	private final Producer producer;

	private final JobExecutor executor;

	private final LeaseKeeper leases;

	QueueRunner(String name, QueueSettings settings, WorkerNode node) {
		this.name = name;
		this.settings = settings;
		this.node = node;
		this.executor = new JobExecutor(this);
		this.producer = new Producer(this);
		this.leases = new LeaseKeeper(this);
	}

	String name() {
		return this.name;
	}

	QueueSettings settings() {
		return this.settings;
	}

	WorkerNode node() {
		return this.node;
	}

	PayloadCodec codec() {
		return this.node.services().codec();
	}

	InstantSource clock() {
		return this.node.clock();
	}

	Producer producer() {
		return this.producer;
	}

	JobExecutor executor() {
		return this.executor;
	}

	LeaseKeeper leases() {
		return this.leases;
	}

	/** The runs claimed here whose outcome is not settled yet. */
	Map<JobRef, RunningJob> running() {
		return this.running;
	}

	void start() {
		if (this.settings.fifo()) {
			this.node.store().queueLockEnsure(this.name);
		}
		this.producer.start();
	}

	/** Claims at once instead of at the next poll. */
	void wake() {
		this.producer.wake();
	}

	/** Handlers running now. */
	int busy() {
		return this.executor.busy();
	}

	/** The run's outcome was written, or found fenced off: it is no longer this queue's to look after. */
	void settled(RunningJob run) {
		this.running.remove(run.ref);
		if (this.settings.fifo()) {
			// the next job of its key becomes claimable only now
			wake();
		}
		else {
			this.producer.slotFreed();
		}
	}

	/**
	 * Gives a run back unfinished: READY at once for any worker, through the completer; the attempt still
	 * counts.
	 * @return whether it was handed to the completer
	 */
	boolean release(RunningJob run, String reason) {
		try {
			this.node.completer()
				.submit(new Finished(run, StateChange.retry(run.ref, 0, reason, null), null, null, java.time.Duration.ZERO,
						List.of(), clock().millis()));
			return true;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			logger.warn("sqlqueue could not give back {} ({}); its lease will expire", run, ex.toString());
			return false;
		}
	}

	/** Stops claiming; running handlers go on. */
	void stopClaiming() {
		this.producer.stop();
		this.executor.shutdown();
	}

	/** Waits for running handlers until {@code deadlineNanos}. @return whether all finished */
	boolean awaitHandlers(long deadlineNanos) throws InterruptedException {
		this.producer.join(deadlineNanos);
		return this.executor.awaitTermination(deadlineNanos);
	}

	/**
	 * Gives back runs still going after the shutdown timeout, and prefetched runs no handler took: interrupts
	 * their handlers and makes the jobs READY so that another node picks them up at once.
	 * @return how many were given back
	 */
	int releaseRemaining() {
		List<RunningJob> unfinished = new ArrayList<>();
		for (RunningJob run : this.running.values()) {
			if (run.thread != null || !run.started) {
				// before the interrupt: the exception it causes must not be recorded as a failed attempt
				run.abandoned = true;
				unfinished.add(run);
			}
		}
		this.executor.shutdownNow();
		int released = 0;
		for (RunningJob run : unfinished) {
			if (release(run, "Released unfinished by a worker shutting down")) {
				released++;
			}
		}
		return released;
	}

}
