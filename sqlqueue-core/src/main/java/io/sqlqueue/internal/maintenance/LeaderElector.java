package io.sqlqueue.internal.maintenance;

import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.sqlqueue.internal.store.JobStore;

/**
 * Elects one node of the cluster to lead a piece of work, through a row in the leader table: a node takes
 * the row when nobody holds it or its term has passed, and the leader renews its term three times per term.
 * A leader that stops resigns, so another node takes over at its next attempt; one that dies is replaced
 * once its term has passed. The shape of River's {@code leadership.Elector}.
 *
 * <p>A node counts itself leader until one term after the start of its last successful attempt, by its own
 * clock: the database's term began later than that, so the node stops acting as leader before anyone else
 * can be elected.
 */
public final class LeaderElector {

	private static final Logger logger = LoggerFactory.getLogger(LeaderElector.class);

	/** The leadership of the maintenance services. */
	public static final String MAINTENANCE = "maintenance";

	private final JobStore store;

	private final String name;

	private final String nodeId;

	private final Duration term;

	private final InstantSource clock;

	/** Until when this node leads, by its clock (epoch milliseconds); 0 while it does not. */
	private volatile long leadingUntil;

	/** Whether the last attempt failed: one warning for a run of failures. */
	private boolean failing;

	private ScheduledExecutorService scheduler;

	/**
	 * @param name the leadership
	 * @param nodeId this node's id in the leader table
	 * @param term how long a leader leads without renewing
	 */
	public LeaderElector(JobStore store, String name, String nodeId, Duration term, InstantSource clock) {
		this.store = store;
		this.name = name;
		this.nodeId = nodeId;
		this.term = term;
		this.clock = clock;
	}

	/** Attempts at once, then three times per term, on a daemon thread. Does nothing when started already. */
	public synchronized void start() {
		if (this.scheduler != null) {
			return;
		}
		this.scheduler = Executors.newSingleThreadScheduledExecutor((runnable) -> {
			Thread thread = new Thread(runnable, "sqlqueue-leader");
			thread.setDaemon(true);
			return thread;
		});
		long every = Math.max(1, this.term.toMillis() / 3);
		this.scheduler.scheduleWithFixedDelay(this::attempt, 0, every, TimeUnit.MILLISECONDS);
	}

	/**
	 * Takes the leadership when it is free, or renews it when this node holds it.
	 * @return whether this node leads now
	 */
	public boolean attempt() {
		long startedAt = this.clock.millis();
		boolean wasLeader = isLeader();
		boolean leads;
		try {
			leads = this.store.leaderAttemptElect(this.name, this.nodeId, this.term);
			this.failing = false;
		}
		catch (RuntimeException ex) {
			if (!this.failing) {
				logger.warn("sqlqueue node {} could not take part in the election of the {} leader; it tries again: {}",
						this.nodeId, this.name, ex.getMessage());
			}
			this.failing = true;
			// it may still lead until its term runs out by its own clock
			return isLeader();
		}
		this.leadingUntil = leads ? startedAt + this.term.toMillis() : 0;
		if (leads && !wasLeader) {
			logger.info("sqlqueue node {} leads {} now", this.nodeId, this.name);
		}
		else if (!leads && wasLeader) {
			logger.info("sqlqueue node {} no longer leads {}", this.nodeId, this.name);
		}
		return leads;
	}

	/** Whether this node leads, by its own clock. */
	public boolean isLeader() {
		return this.clock.millis() < this.leadingUntil;
	}

	/** Stops attempting and, when this node leads, resigns so that another node takes over at once. */
	public synchronized void stop() {
		if (this.scheduler != null) {
			this.scheduler.shutdownNow();
			this.scheduler = null;
		}
		if (this.leadingUntil != 0) {
			this.leadingUntil = 0;
			try {
				this.store.leaderResign(this.name, this.nodeId);
			}
			catch (RuntimeException ex) {
				logger.warn("sqlqueue node {} could not resign as {} leader; another node takes over when its term ends:"
						+ " {}", this.nodeId, this.name, ex.getMessage());
			}
		}
	}

}
