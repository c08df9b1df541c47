package io.sqlqueue.spring;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.core.convert.ConversionException;

import io.sqlqueue.InvalidSettingException;

/**
 * Reads the values that properties and {@link JobHandler} attributes give as text the same way,
 * and says the same about a value that is none of the valid ones.
 */
final class SettingValues {

	private SettingValues() {
	}

	/**
	 * The constant of {@code type} that {@code value} names, read as Spring Boot binds properties: case and
	 * {@code -} or {@code _} do not matter ({@code run-once}, {@code RUN_ONCE}).
	 * @throws InvalidSettingException naming {@code setting}, with {@link #notOneOf(Class, Object)} as the problem
	 */
	static <E extends Enum<E>> E enumValue(String setting, String value, Class<E> type) {
		try {
			E converted = ApplicationConversionService.getSharedInstance().convert(value, type);
			if (converted != null) {
				return converted;
			}
		}
		catch (ConversionException ex) {
			// reported below, with the values that would do
		}
		throw new InvalidSettingException(setting, notOneOf(type, value));
	}

	/** What is wrong with {@code value} for the enum {@code type}, listing its valid values. */
	static String notOneOf(Class<?> type, Object value) {
		String valid = Arrays.stream(type.getEnumConstants())
			.map((constant) -> ((Enum<?>) constant).name().toLowerCase(Locale.ROOT).replace('_', '-'))
			.collect(Collectors.joining(", "));
		return "must be one of " + valid + ", was '" + value + "'";
	}

	/**
	 * The time zone {@code id} names.
	 * @throws InvalidSettingException naming {@code setting}, saying what a zone id looks like
	 */
	static ZoneId zone(String setting, String id) {
		try {
			return ZoneId.of(id);
		}
		catch (DateTimeException ex) {
			throw new InvalidSettingException(setting, "must be a time zone id such as Europe/Paris, was '" + id + "'");
		}
	}

	/** {@code camelCase} as {@code camel-case}: a core setting's name as a property's. */
	static String kebabCase(String camelCase) {
		return camelCase.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
	}

}
