package io.github.citusjdbc;

import java.sql.SQLException;
import java.util.Properties;

/**
 * The keys a {@link CitusDataSource} holds beside pgjdbc's bean properties: ours
 * ({@link CitusProperty}), validated when set rather than at the first {@code getConnection}, and
 * keys pgjdbc's {@code BaseDataSource} does not know (e.g. from a newer pgjdbc), passed through as
 * the driver passes unknown URL keys. Set while the data source is configured, read afterwards.
 */
final class DataSourceKeys {

    private final Properties citus = new Properties();
    private final Properties other = new Properties();

    /**
     * @param property one of ours
     * @param value    its value; null removes it
     * @throws SQLException SQLState {@code 22023} when the property does not allow the value
     */
    void setCitus(CitusProperty property, String value) throws SQLException {
        if (value == null) {
            citus.remove(property.getName());
            return;
        }
        Properties probe = new Properties();
        probe.setProperty(property.getName(), value);
        property.getString(probe); // validate now, not at the first getConnection
        citus.setProperty(property.getName(), value);
    }

    /**
     * The same as {@link #setCitus} for a bean setter, which cannot throw {@link SQLException}.
     *
     * @param property one of ours
     * @param value    its value; null removes it
     * @throws IllegalArgumentException with the message of the {@code SQLException} {@link #setCitus} would throw
     */
    void setCitusForBean(CitusProperty property, String value) {
        try {
            setCitus(property, value);
        } catch (SQLException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** @return the value set for one of our properties, or its default */
    String citus(CitusProperty property) {
        return property.get(citus);
    }

    /** Sets a key neither ours nor pgjdbc's; a null value removes it. */
    void setOther(String name, String value) {
        if (value == null) {
            other.remove(name);
        } else {
            other.setProperty(name, value);
        }
    }

    /** @return the value set for a key neither ours nor pgjdbc's, or null */
    String other(String name) {
        return other.getProperty(name);
    }

    /** @return our keys as set, for the URL; not to be changed */
    Properties citusKeys() {
        return citus;
    }

    /** @return the keys neither ours nor pgjdbc's, for the URL; not to be changed */
    Properties otherKeys() {
        return other;
    }
}
