package io.sqlqueue.worker;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.sqlqueue.InvalidSettingException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The worker's settings refuse bad values naming the setting and the problem apart, which the starter turns
 * into property names and annotation attributes.
 */
class SettingsTests {

	@Test
	void queueSettingsNameTheRefusedSetting() {
		assertRefused(() -> QueueSettings.defaults().withConcurrency(0), "concurrency", "must be at least 1, was 0");
		assertRefused(() -> QueueSettings.defaults().withPollInterval(Duration.ZERO), "pollInterval",
				"must be positive, was PT0S");
		assertRefused(() -> QueueSettings.defaults().withLease(Duration.ofMillis(10)), "lease",
				"must be at least 1s, was PT0.01S");
		assertRefused(() -> QueueSettings.defaults().withMaxAttempts(-2), "maxAttempts",
				"must be positive or -1 (no limit), was -2");
		assertRefused(() -> QueueSettings.defaults().withBatchSize(0), "batchSize", "must be at least 1, was 0");
		assertRefused(() -> QueueSettings.defaults().withBackoff(null), "backoff", "must not be null");
	}

	@Test
	void maintenanceSettingsNameTheRefusedSetting() {
		assertRefused(() -> MaintenanceSettings.defaults().withRescueInterval(Duration.ZERO), "rescueInterval",
				"must be positive, was PT0S");
		assertRefused(() -> MaintenanceSettings.defaults().withCleanInterval(null), "cleanInterval",
				"must not be null");
		assertRefused(() -> MaintenanceSettings.defaults().withVacuumInterval(Duration.ofSeconds(-1)),
				"vacuumInterval", "must be positive, was PT-1S");
		assertRefused(() -> MaintenanceSettings.defaults().withVacuumDeadRows(-1), "vacuumDeadRows",
				"must be 0 (none) or positive, was -1");
		assertRefused(() -> Retention.DEFAULT.withDead(Duration.ofDays(-1)), "dead", "must not be negative, was PT-24H");
	}

	@Test
	void maintenanceDefaultsRunNoVacuumOnASchedule() {
		MaintenanceSettings defaults = MaintenanceSettings.defaults();

		assertThat(defaults.rescueInterval()).isEqualTo(MaintenanceSettings.DEFAULT_RESCUE_INTERVAL);
		assertThat(defaults.cleanInterval()).isEqualTo(MaintenanceSettings.DEFAULT_CLEAN_INTERVAL);
		assertThat(defaults.vacuumInterval()).isNull();
		assertThat(defaults.vacuumDeadRows()).isEqualTo(MaintenanceSettings.DEFAULT_VACUUM_DEAD_ROWS);
		assertThat(defaults.retention()).isEqualTo(Retention.DEFAULT);
		assertThat(defaults.withVacuumInterval(Duration.ofHours(1)).withVacuumInterval(null)).isEqualTo(defaults);
	}

	@Test
	void handlerSpecNamesItsAttempts() {
		assertRefused(() -> HandlerSpec.of("work", String.class, (payload, context) -> { }).withMaxAttempts(0),
				"maxAttempts", "must be positive or -1 (no limit), was 0");
	}

	private static void assertRefused(Runnable call, String setting, String problem) {
		assertThatExceptionOfType(InvalidSettingException.class).isThrownBy(call::run)
			.withMessage(setting + " " + problem)
			.satisfies((ex) -> assertThat(ex.setting()).isEqualTo(setting))
			.satisfies((ex) -> assertThat(ex.problem()).isEqualTo(problem));
	}

}
