/*
 * nr-demo-server PORT: answers every connection on 127.0.0.1:PORT with "nr-demo VERSION pid PID", the
 * version coming from libnrdemo.so.1, so a test sees which code a service runs without reading /proc.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

const char *nr_demo_version(void);

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: nr-demo-server PORT\n");
    return 2;
  }
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  int on = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[1]))};
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(listener, (struct sockaddr *)&address, sizeof address) != 0 || listen(listener, 8) != 0) {
    perror("nr-demo-server");
    return 1;
  }
  printf("nr-demo %s listening on 127.0.0.1:%s\n", nr_demo_version(), argv[1]);
  fflush(stdout);
  for (;;) {
    int client = accept(listener, NULL, NULL);
    if (client < 0) continue;
    char line[128];
    int n = snprintf(line, sizeof line, "nr-demo %s pid %d\n", nr_demo_version(), (int)getpid());
    if (write(client, line, n) != n) perror("nr-demo-server: write");
    close(client);
  }
}
