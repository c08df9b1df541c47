package io.sqlqueue.spring;

import org.springframework.boot.context.properties.ConfigurationPropertiesBindHandlerAdvisor;
import org.springframework.boot.context.properties.bind.AbstractBindHandler;
import org.springframework.boot.context.properties.bind.BindContext;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;

/**
 * Turns a {@code sqlqueue.*} value that is none of its enum's constants ({@code
 * sqlqueue.defaults.backoff.policy=fibonacci}) into a startup failure that names the property and
 * lists the valid values, instead of Spring's {@code No enum constant ...}. Values are read as
 * before: case, {@code -} and {@code _} do not matter.
 */
class InvalidEnumPropertyAdvisor implements ConfigurationPropertiesBindHandlerAdvisor {

	private static final ConfigurationPropertyName SQLQUEUE = ConfigurationPropertyName.of("sqlqueue");

	@Override
	public BindHandler apply(BindHandler bindHandler) {
		return new AbstractBindHandler(bindHandler) {

			@Override
			public Object onFailure(ConfigurationPropertyName name, Bindable<?> target, BindContext context,
					Exception error) throws Exception {
				Class<?> type = target.getType().resolve();
				ConfigurationProperty property = context.getConfigurationProperty();
				if (type != null && type.isEnum() && property != null && SQLQUEUE.isAncestorOf(name)) {
					throw new IllegalArgumentException(
							"Invalid " + name + ": " + SettingValues.notOneOf(type, property.getValue()), error);
				}
				return super.onFailure(name, target, context, error);
			}

		};
	}

}
