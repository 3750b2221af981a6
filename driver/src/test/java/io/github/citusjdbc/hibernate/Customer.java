package io.github.citusjdbc.hibernate;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;

/** A tenant's customer; {@code owner} records the tenant that wrote it, to catch cross-tenant reads. */
@Entity(name = "Customer")
@Cacheable
@Cache(usage = CacheConcurrencyStrategy.READ_WRITE)
public class Customer {
    @Id
    private Long id;
    private String name;
    private String owner;

    protected Customer() {
    }

    Customer(long id, String name, String owner) {
        this.id = id;
        this.name = name;
        this.owner = owner;
    }

    Long getId() {
        return id;
    }

    String getName() {
        return name;
    }

    String getOwner() {
        return owner;
    }
}
