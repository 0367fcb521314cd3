package io.kopeck.catalog;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kopeck.common.ConfFile;
import java.util.List;

/** The tariffs a new installation starts with: ./conf/tariffs.json, else the copy in the jar. */
public final class DefaultCatalog {
  private DefaultCatalog() {
  }

  public static List<ObjectNode> load() {
    return ConfFile.objects("tariffs.json");
  }
}
