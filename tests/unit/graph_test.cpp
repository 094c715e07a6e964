#include "engine/graph.h"

#include <gtest/gtest.h>

namespace fs {
namespace {

TEST(Graph, TopoOrderAndCycle) {
  Graph g;
  ValueId x = g.add_value("x", DType::F32, SymShape{{2, ""}});
  g.add_input(x);
  ValueId a = g.add_value("a"), b = g.add_value("b");
  Node n2;
  n2.name = "second";
  n2.op_type = "Relu";
  n2.inputs = {a};
  n2.outputs = {b};
  Node n1;
  n1.name = "first";
  n1.op_type = "Relu";
  n1.inputs = {x};
  n1.outputs = {a};
  g.add_node(n2);
  g.add_node(n1);
  g.add_output(b);
  auto order = g.topo_order();
  ASSERT_EQ(order.size(), 2u);
  EXPECT_EQ(g.node(order[0]).name, "first");
  EXPECT_EQ(g.node(order[1]).name, "second");

  Graph c;
  ValueId p = c.add_value("p"), q = c.add_value("q");
  Node r1;
  r1.name = "r1";
  r1.op_type = "Relu";
  r1.inputs = {q};
  r1.outputs = {p};
  Node r2;
  r2.name = "r2";
  r2.op_type = "Relu";
  r2.inputs = {p};
  r2.outputs = {q};
  c.add_node(r1);
  c.add_node(r2);
  try {
    c.topo_order();
    FAIL() << "expected a cycle error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cycle"), std::string::npos) << e.what();
  }
}

TEST(Graph, DuplicateProducerRejected) {
  Graph g;
  ValueId x = g.add_value("x", DType::F32, SymShape{{2, ""}});
  g.add_input(x);
  ValueId y = g.add_value("y");
  Node a;
  a.name = "a";
  a.op_type = "Relu";
  a.inputs = {x};
  a.outputs = {y};
  g.add_node(a);
  Node b = a;
  b.name = "b";
  EXPECT_THROW(g.add_node(b), Error);
}

}  // namespace
}  // namespace fs
