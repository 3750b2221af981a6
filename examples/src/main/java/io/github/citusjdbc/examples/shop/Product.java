package io.github.citusjdbc.examples.shop;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;

/** A product of one tenant's shop. */
@Entity
public class Product {
    @Id
    private Long id;
    private String name;
    private long priceCents;

    protected Product() {
    }

    public Product(long id, String name, long priceCents) {
        this.id = id;
        this.name = name;
        this.priceCents = priceCents;
    }

    public String getName() {
        return name;
    }

    public long getPriceCents() {
        return priceCents;
    }
}
