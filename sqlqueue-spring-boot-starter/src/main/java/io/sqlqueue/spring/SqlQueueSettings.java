package io.sqlqueue.spring;

import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.sqlqueue.EnqueueOptions;
import io.sqlqueue.InvalidSettingException;
import io.sqlqueue.JobQueue;
import io.sqlqueue.QueueLimits;
import io.sqlqueue.RateLimit;
import io.sqlqueue.RecurringSchedule;
import io.sqlqueue.worker.Backoff;
import io.sqlqueue.worker.MaintenanceSettings;
import io.sqlqueue.worker.QueueSettings;
import io.sqlqueue.worker.Retention;

/**
 * The core's settings that {@link SqlQueueProperties} describe. The core's types check every value;
 * each one they refuse is reported under its property's name ({@code Invalid
 * sqlqueue.queues.mail.concurrency: must be at least 1, was 0}) and the value below it is kept, so
 * that one pass reports every bad value.
 */
final class SqlQueueSettings {

	private final SqlQueueProperties properties;

	private final Consumer<String> refusals;

	private QueueSettings defaults;

	/**
	 * Settings of {@code properties}; each refused value goes to {@code refusals} as a message naming its
	 * property.
	 */
	SqlQueueSettings(SqlQueueProperties properties, Consumer<String> refusals) {
		this.properties = properties;
		this.refusals = refusals;
	}

	/** Maps every property, reporting every refused value. */
	void checkAll() {
		SqlQueueProperties p = this.properties;
		attempt("sqlqueue.table-prefix", () -> JobQueue.validateTablePrefix(p.getTablePrefix()));
		long payloadBytes = (p.getMaxPayloadSize() != null) ? p.getMaxPayloadSize().toBytes() : 0;
		if (payloadBytes < 1 || payloadBytes > Integer.MAX_VALUE) {
			refuse("sqlqueue.max-payload-size", "must be between 1B and 2GB, was " + p.getMaxPayloadSize());
		}
		attempt("sqlqueue", () -> InvalidSettingException.requireNotNegative("shutdownTimeout", p.getShutdownTimeout()));
		attempt("sqlqueue.metrics",
				() -> InvalidSettingException.requirePositive("sampleInterval", p.getMetrics().getSampleInterval()));
		defaults();
		p.getQueues().keySet().forEach(this::queue);
		p.getQueues().keySet().forEach(this::queueLimits);
		maintenance();
		schedules();
	}

	/** The settings of queues not configured on their own. */
	QueueSettings defaults() {
		if (this.defaults == null) {
			SqlQueueProperties.Defaults values = this.properties.getDefaults();
			String prefix = "sqlqueue.defaults";
			QueueSettings settings = QueueSettings.defaults().withFifo(values.isFifo());
			settings = set(prefix, settings, values.getConcurrency(), QueueSettings::withConcurrency);
			settings = set(prefix, settings, values.getPollInterval(), QueueSettings::withPollInterval);
			settings = set(prefix, settings, values.getLease(), QueueSettings::withLease);
			settings = set(prefix, settings, values.getMaxAttempts(), QueueSettings::withMaxAttempts);
			settings = set(prefix, settings, values.getBatchSize(), QueueSettings::withBatchSize);
			this.defaults = settings.withBackoff(backoff(prefix + ".backoff", values.getBackoff(), Backoff.DEFAULT));
		}
		return this.defaults;
	}

	/** The settings of queue {@code name}: its own values over the defaults. */
	QueueSettings queue(String name) {
		QueueSettings base = defaults();
		SqlQueueProperties.Queue values = this.properties.getQueues().get(name);
		if (values == null) {
			return base;
		}
		String prefix = "sqlqueue.queues." + name;
		attempt(prefix, () -> JobQueue.validateQueueName(name));
		QueueSettings settings = base;
		settings = override(prefix, settings, values.getConcurrency(), QueueSettings::withConcurrency);
		settings = override(prefix, settings, values.getPollInterval(), QueueSettings::withPollInterval);
		settings = override(prefix, settings, values.getLease(), QueueSettings::withLease);
		settings = override(prefix, settings, values.getMaxAttempts(), QueueSettings::withMaxAttempts);
		settings = override(prefix, settings, values.getBatchSize(), QueueSettings::withBatchSize);
		settings = override(prefix, settings, values.getFifo(), QueueSettings::withFifo);
		return settings.withBackoff(backoff(prefix + ".backoff", values.getBackoff(), base.backoff()));
	}

	/**
	 * The cluster-wide limits configured for queue {@code name}, or {@code null} when it configures none (the
	 * limits stored with the queue are then left as they are).
	 */
	QueueLimits queueLimits(String name) {
		SqlQueueProperties.Queue values = this.properties.getQueues().get(name);
		if (values == null || (values.getGlobalConcurrency() == null && values.getKeyConcurrency() == null
				&& values.getRateLimit() == null)) {
			if (values != null && values.isRateLimitPerKey()) {
				refuse("sqlqueue.queues." + name + ".rate-limit-per-key", "needs sqlqueue.queues." + name
						+ ".rate-limit, which is not set");
			}
			return null;
		}
		String prefix = "sqlqueue.queues." + name;
		QueueLimits limits = QueueLimits.none();
		limits = override(prefix, limits, values.getGlobalConcurrency(), QueueLimits::withGlobalConcurrency);
		limits = override(prefix, limits, values.getKeyConcurrency(), QueueLimits::withKeyConcurrency);
		if (values.getRateLimit() != null) {
			RateLimit rate = attempt(prefix, () -> RateLimit.parse(values.getRateLimit()));
			if (rate != null) {
				limits = limits.withRateLimit(values.isRateLimitPerKey() ? rate.forEachKey() : rate);
			}
		}
		return limits;
	}

	/** The rescue, clean and vacuum settings, the retention and the leader's term; and the outcome backlog checked. */
	MaintenanceSettings maintenance() {
		SqlQueueProperties.Worker values = this.properties.getWorker();
		String prefix = "sqlqueue.worker";
		MaintenanceSettings settings = MaintenanceSettings.defaults();
		settings = set(prefix, settings, values.getRescueInterval(), MaintenanceSettings::withRescueInterval);
		settings = set(prefix, settings, values.getCleanInterval(), MaintenanceSettings::withCleanInterval);
		settings = set(prefix, settings, values.getVacuumInterval(), MaintenanceSettings::withVacuumInterval);
		settings = set(prefix, settings, values.getVacuumDeadRows(), MaintenanceSettings::withVacuumDeadRows);
		settings = set(prefix, settings, values.getLeaderTerm(), MaintenanceSettings::withLeaderTerm);
		settings = set(prefix, settings, values.getNodeHeartbeat(), MaintenanceSettings::withNodeHeartbeat);
		settings = set(prefix, settings, values.getUnhandledAfter(), MaintenanceSettings::withUnhandledAfter);
		settings = set(prefix, settings, values.getSnapshotWarningAge(), MaintenanceSettings::withSnapshotWarningAge);
		attempt(prefix, () -> InvalidSettingException.requireAtLeast("outcomeBacklog", 1, values.getOutcomeBacklog()));
		return settings.withRetention(retention());
	}

	/** How long finished jobs are kept. */
	Retention retention() {
		SqlQueueProperties.Retention values = this.properties.getRetention();
		String prefix = "sqlqueue.retention";
		Retention retention = Retention.DEFAULT;
		retention = set(prefix, retention, values.getSucceeded(), Retention::withSucceeded);
		retention = set(prefix, retention, values.getDead(), Retention::withDead);
		return set(prefix, retention, values.getCancelled(), Retention::withCancelled);
	}

	/** The recurring schedules; a refused one is left out. */
	List<RecurringSchedule> schedules() {
		List<RecurringSchedule> schedules = new ArrayList<>();
		for (Map.Entry<String, SqlQueueProperties.Schedule> entry : this.properties.getSchedules().entrySet()) {
			RecurringSchedule schedule = schedule(entry.getKey(), entry.getValue());
			if (schedule != null) {
				schedules.add(schedule);
			}
		}
		return schedules;
	}

	private RecurringSchedule schedule(String name, SqlQueueProperties.Schedule values) {
		String prefix = "sqlqueue.schedules." + name;
		ZoneId zone = (values.getZone() != null)
				? attempt(prefix, () -> SettingValues.zone("zone", values.getZone())) : null;
		EnqueueOptions options = (values.getQueue() != null)
				? attempt(prefix + ".queue", () -> EnqueueOptions.defaults().withQueue(values.getQueue())) : null;
		RecurringSchedule schedule = attempt(prefix,
				() -> RecurringSchedule.of(name, values.getCron(), values.getType())
					.withMissedRuns(values.getMissedRuns())
					.withPayload(values.getPayload()));
		if (schedule != null && zone != null) {
			schedule = schedule.inZone(zone);
		}
		if (schedule != null && options != null) {
			schedule = schedule.withOptions(options);
		}
		return schedule;
	}

	/**
	 * The backoff {@code values} give over {@code below}. A refused value is reported and left out, and the rest
	 * tried again, so that each bad value is reported. A refusal that no value given here caused (a base above the
	 * max below it) ends with {@code below}; it is reported only when it is the first, as fixing the values given
	 * may end it.
	 */
	private Backoff backoff(String prefix, SqlQueueProperties.BackoffOverride values, Backoff below) {
		Duration base = values.getBase();
		Duration max = values.getMax();
		Double jitter = values.getJitter();
		boolean refusedBefore = false;
		while (true) {
			try {
				return new Backoff.Overrides(values.getPolicy(), base, max, jitter).over(below);
			}
			catch (InvalidSettingException ex) {
				String setting = ex.setting();
				boolean given = (setting.equals("base") && base != null) || (setting.equals("max") && max != null)
						|| (setting.equals("jitter") && jitter != null);
				if (given || !refusedBefore) {
					refuse(prefix + "." + SettingValues.kebabCase(setting), ex.problem());
				}
				if (!given) {
					return below;
				}
				refusedBefore = true;
				base = setting.equals("base") ? null : base;
				max = setting.equals("max") ? null : max;
				jitter = setting.equals("jitter") ? null : jitter;
			}
		}
	}

	/** {@code settings} with {@code value} set by {@code wither}, or as it is when the core refuses the value. */
	private <S, V> S set(String prefix, S settings, V value, BiFunction<S, V, S> wither) {
		S changed = attempt(prefix, () -> wither.apply(settings, value));
		return (changed != null) ? changed : settings;
	}

	/** {@link #set} for a value that may be unset ({@code null}): then {@code settings} stay as they are. */
	private <S, V> S override(String prefix, S settings, V value, BiFunction<S, V, S> wither) {
		return (value != null) ? set(prefix, settings, value, wither) : settings;
	}

	/**
	 * What {@code build} returns, or {@code null} when the core refuses a value: reported as the property under
	 * {@code prefix} that the refused setting names, or as {@code prefix} itself when the core names none.
	 */
	private <T> T attempt(String prefix, Supplier<T> build) {
		try {
			return build.get();
		}
		catch (InvalidSettingException ex) {
			refuse(prefix + "." + SettingValues.kebabCase(ex.setting()), ex.problem());
		}
		catch (IllegalArgumentException ex) {
			refuse(prefix, ex.getMessage());
		}
		return null;
	}

	private void refuse(String property, String problem) {
		this.refusals.accept("Invalid " + property + ": " + problem);
	}

}
