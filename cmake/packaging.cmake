# Install rules and the Debian package (`./dev package`, i.e. cpack -G DEB in the
# build tree). Paths follow Debian 12: the unit under /lib/systemd/system, the
# configuration under /etc/kilter (conffiles: edits survive upgrades).
set(KILTER_DEPLOY ${PROJECT_SOURCE_DIR}/deploy)

install(FILES ${KILTER_DEPLOY}/systemd/kilterd.service DESTINATION /lib/systemd/system)
install(FILES ${KILTER_DEPLOY}/examples/kilter.yaml DESTINATION /etc/kilter)
# Holds secrets for ${VAR} references; systemd reads it as root.
install(FILES ${KILTER_DEPLOY}/systemd/kilter.env DESTINATION /etc/kilter
        PERMISSIONS OWNER_READ OWNER_WRITE)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${KILTER_DEPLOY}/debian/copyright
        DESTINATION share/doc/kilter)
file(GLOB KILTER_DOCS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/docs/*.md)
install(FILES ${KILTER_DOCS} DESTINATION share/doc/kilter/docs)
install(FILES ${KILTER_DEPLOY}/README.md DESTINATION share/kilter)
install(DIRECTORY ${KILTER_DEPLOY}/prometheus ${KILTER_DEPLOY}/grafana DESTINATION share/kilter)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME kilter)
set(CPACK_PACKAGE_VENDOR "Kilter")
set(CPACK_PACKAGE_CONTACT "Kilter developers <dev@kilter.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "balance and engagement alerts for the social-media accounts a team runs")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# The synopsis is CPACK_PACKAGE_DESCRIPTION_SUMMARY; this is the long text.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "kilterd consumes post and engagement events from Kafka, classifies every post\n\
as personal, professional or promotional, keeps rolling per-account windows in\n\
RocksDB and alerts Slack, Teams, Alertmanager, webhooks, Kafka or a file when\n\
an account's balance or engagement leaves the limits of its profile.\n\
Ships a hardened systemd unit, an example configuration, and Prometheus and\n\
Grafana examples under /usr/share/kilter.")
# dpkg-shlibdeps turns the binary's libraries into Depends (librdkafka1,
# librocksdb7.8, libyaml-cpp0.7, libfasttext0 for `kilterd train`, ...); /bin/kill
# (ExecReload) is procps'; the digests' time zones are read from tzdata.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "procps, tzdata")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${KILTER_DEPLOY}/debian/conffiles ${KILTER_DEPLOY}/debian/postinst
    ${KILTER_DEPLOY}/debian/prerm ${KILTER_DEPLOY}/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
