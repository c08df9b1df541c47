package io.sqlqueue.worker;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.sqlqueue.InvalidSettingException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class BackoffTests {

	@Test
	void constantWaitsItsBaseEveryTime() {
		Backoff backoff = Backoff.constant(Duration.ofSeconds(3));

		assertThat(backoff.delayAfter(1)).isEqualTo(Duration.ofSeconds(3));
		assertThat(backoff.delayAfter(50)).isEqualTo(Duration.ofSeconds(3));
	}

	@Test
	void linearGrowsByItsBaseUpToItsMax() {
		Backoff backoff = Backoff.linear(Duration.ofSeconds(2), Duration.ofSeconds(7));

		assertThat(backoff.delayAfter(1)).isEqualTo(Duration.ofSeconds(2));
		assertThat(backoff.delayAfter(2)).isEqualTo(Duration.ofSeconds(4));
		assertThat(backoff.delayAfter(3)).isEqualTo(Duration.ofSeconds(6));
		assertThat(backoff.delayAfter(4)).isEqualTo(Duration.ofSeconds(7));
		assertThat(backoff.delayAfter(1000)).isEqualTo(Duration.ofSeconds(7));
	}

	@Test
	void exponentialDoublesFromItsBaseUpToItsMax() {
		Backoff backoff = Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(1));

		assertThat(backoff.delayAfter(1)).isEqualTo(Duration.ofMillis(100));
		assertThat(backoff.delayAfter(2)).isEqualTo(Duration.ofMillis(200));
		assertThat(backoff.delayAfter(3)).isEqualTo(Duration.ofMillis(400));
		assertThat(backoff.delayAfter(4)).isEqualTo(Duration.ofMillis(800));
		assertThat(backoff.delayAfter(5)).isEqualTo(Duration.ofSeconds(1));
	}

	@Test
	void hugeAttemptNumbersNeitherOverflowNorExceedTheMax() {
		Backoff exponential = Backoff.exponential(Duration.ofDays(1), Duration.ofDays(7));
		Backoff linear = Backoff.linear(Duration.ofDays(1), Duration.ofDays(7));

		for (int attempt : new int[] { 62, 63, 64, 1000, Integer.MAX_VALUE }) {
			assertThat(exponential.delayAfter(attempt)).isEqualTo(Duration.ofDays(7));
			assertThat(linear.delayAfter(attempt)).isEqualTo(Duration.ofDays(7));
		}
	}

	@Test
	void attemptsBelowOneCountAsTheFirst() {
		Backoff backoff = Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(1));

		assertThat(backoff.delayAfter(0)).isEqualTo(Duration.ofMillis(100));
		assertThat(backoff.delayAfter(-5)).isEqualTo(Duration.ofMillis(100));
	}

	@Test
	void jitterSpreadsDelaysWithinItsBoundsAndNeverPastTheMax() {
		Backoff backoff = Backoff.exponential(Duration.ofSeconds(1), Duration.ofSeconds(10)).withJitter(0.25);
		long min = Long.MAX_VALUE;
		long max = Long.MIN_VALUE;
		for (int i = 0; i < 2000; i++) {
			long millis = backoff.delayAfter(2).toMillis();
			min = Math.min(min, millis);
			max = Math.max(max, millis);
			assertThat(millis).isBetween(1500L, 2500L);
		}
		assertThat(max - min).as("the delays are spread, not constant").isGreaterThan(500);
		for (int i = 0; i < 200; i++) {
			assertThat(backoff.delayAfter(10).toMillis()).isBetween(7500L, 10_000L);
		}
	}

	@Test
	void theDefaultIsExponentialFromOneSecondToOneHourWithTwentyPercentJitter() {
		assertThat(Backoff.DEFAULT.policy()).isEqualTo(Backoff.Policy.EXPONENTIAL);
		assertThat(Backoff.DEFAULT.base()).isEqualTo(Duration.ofSeconds(1));
		assertThat(Backoff.DEFAULT.max()).isEqualTo(Duration.ofHours(1));
		assertThat(Backoff.DEFAULT.jitter()).isEqualTo(0.2);
		assertThat(Backoff.DEFAULT.delayAfter(1).toMillis()).isBetween(800L, 1200L);
	}

	@Test
	void invalidSettingsAreRejectedNamingTheValue() {
		assertThatIllegalArgumentException().isThrownBy(() -> Backoff.constant(Duration.ofSeconds(-1)))
			.withMessageContaining("negative");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> Backoff.exponential(Duration.ofSeconds(10), Duration.ofSeconds(1)))
			.withMessageContaining("max must not be less than its base (PT10S), was PT1S");
		assertThatIllegalArgumentException().isThrownBy(() -> Backoff.constant(Duration.ofSeconds(1)).withJitter(1.5))
			.withMessageContaining("1.5");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> Backoff.constant(Duration.ofSeconds(1)).withJitter(Double.NaN));
	}

	@Test
	void theMetadataFormRoundTripsAndRejectsGarbageNamingIt() {
		Backoff backoff = Backoff.exponential(Duration.ofMillis(250), Duration.ofMinutes(2)).withJitter(0.3);
		assertThat(Backoff.fromMetadataValue(backoff.toMetadataValue())).isEqualTo(backoff);
		assertThatIllegalArgumentException().isThrownBy(() -> Backoff.fromMetadataValue("SOMETIMES 1 2 0"))
			.withMessageContaining("Not a backoff: 'SOMETIMES 1 2 0'");
		assertThatIllegalArgumentException().isThrownBy(() -> Backoff.fromMetadataValue("fast"))
			.withMessageContaining("expected 'POLICY baseMillis maxMillis jitter'");
	}

	@Test
	void overridesReplaceOnlyTheValuesTheyGive() {
		Backoff.Overrides slower = new Backoff.Overrides(null, Duration.ofSeconds(5), Duration.ofHours(2), null);

		assertThat(slower.over(Backoff.DEFAULT)).isEqualTo(
				new Backoff(Backoff.Policy.EXPONENTIAL, Duration.ofSeconds(5), Duration.ofHours(2), 0.2));
		assertThat(Backoff.Overrides.NONE.over(Backoff.DEFAULT)).isEqualTo(Backoff.DEFAULT);
		assertThat(Backoff.Overrides.NONE.isEmpty()).isTrue();
		assertThat(slower.isEmpty()).isFalse();
	}

	@Test
	void overridesRefuseWhatIsWrongOnItsOwnAndWhatDoesNotFitTheBackoffBelow() {
		assertThatExceptionOfType(InvalidSettingException.class)
			.isThrownBy(() -> new Backoff.Overrides(null, null, null, 2.0))
			.satisfies((ex) -> assertThat(ex.setting()).isEqualTo("jitter"))
			.satisfies((ex) -> assertThat(ex.problem()).isEqualTo("must be between 0 and 1, was 2.0"));
		Backoff.Overrides longBase = new Backoff.Overrides(null, Duration.ofHours(2), null, null);
		assertThatExceptionOfType(InvalidSettingException.class).isThrownBy(() -> longBase.over(Backoff.DEFAULT))
			.satisfies((ex) -> assertThat(ex.setting()).isEqualTo("max"))
			.withMessage("max must not be less than its base (PT2H), was PT1H");
	}

}
